// The stewards' review screen (/review): one queue item at a time, both records side by side with what
// differs highlighted, the match-weight waterfall, the other records of each person, and a decision
// (confirm / reject with a reason, or skip) sent through the steward mutations.
import {ApiError, explain, gql} from '../common/api.js';
import {$, agencyBadge, announce, fill, h, typing} from '../common/dom.js';
import {takeFragment} from '../common/session.js';
import {setupSignIn} from '../common/signin.js';
import {waterfall} from './waterfall.js';

const RECORD = `fragment ReviewRecord on Record {
  id source sourceId recordedAt givenName middleNames familyName dob sex agency { code name }
  addresses { address { display postcode } from to current } phones { number } emails
  identifiers { scheme value valid } school { urn name } flags }`;
const PERSON = `fragment ReviewPerson on Person { id givenName familyName dob recordCount
  records(first: 50) { edges { node { ...ReviewRecord } } } }`;
const QUEUE = `query ReviewQueue($first: Int!, $after: String) {
  reviewQueue(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id kind impact agencies reasons
      link { weight probability blockingRules cannotLink explanation { comparison level weight }
        a { ...ReviewRecord } b { ...ReviewRecord } }
      leftPerson { ...ReviewPerson } rightPerson { ...ReviewPerson } person { ...ReviewPerson } } } } }
${RECORD}
${PERSON}`;
const DECIDE = (name) => `mutation Steward${name[0].toUpperCase()}${name.slice(1)}($a: RecordRefInput!, $b: RecordRefInput!, $reason: String!) {
  ${name}(a: $a, b: $b, reason: $reason) { decision { id kind } personIds } }`;
const PAGE = 10;

const state = {session: null, items: [], index: 0, pageInfo: null, total: 0, skipped: new Set(), pending: null, busy: false};
const els = {};

function init() {
  Object.assign(els, {item: $('#item'), status: $('#status'), pos: $('#queue-pos'), form: $('#decide'), reason: $('#reason')});
  takeFragment();
  const signIn = setupSignIn({
    defaultPurpose: 'data_stewardship',
    onSession(session) {
      state.session = session;
      state.skipped.clear();
      load();
    },
    onSignOut() {
      state.session = null;
      fill(els.item);
      els.form.hidden = true;
    },
  });
  state.signIn = signIn;
  $('#confirm').addEventListener('click', () => decide('confirmLink'));
  $('#reject').addEventListener('click', () => decide('rejectLink'));
  $('#skip').addEventListener('click', skip);
  els.form.addEventListener('submit', (event) => event.preventDefault());
  document.addEventListener('keydown', keys);
  signIn.resume();
}

async function call(query, variables) {
  try {
    return await gql(state.session, query, variables);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') state.signIn.showSignIn(explain(error), 'error');
    announce(els.status, explain(error), 'error');
    return null;
  }
}

/** Load the queue from the start (after a decision the queue changes), leaving out what was skipped. */
async function load(after = null) {
  els.item.dataset.state = 'loading';
  const answer = await call(QUEUE, {first: PAGE, after});
  if (!answer) return;
  const queue = answer.data.reviewQueue;
  const items = queue.edges.map((e) => e.node).filter((item) => !state.skipped.has(item.id));
  state.total = queue.totalCount;
  state.pageInfo = queue.pageInfo;
  if (!items.length && queue.pageInfo.hasNextPage) {
    await load(queue.pageInfo.endCursor);
    return;
  }
  state.items = items;
  state.index = 0;
  show();
}

function show() {
  const item = state.items[state.index];
  els.pos.dataset.total = String(state.total);
  if (!item) {
    els.item.dataset.itemId = '';
    els.item.dataset.state = 'empty';
    fill(els.item, h('p', {class: 'note'}, state.skipped.size
      ? `Nothing left but the ${state.skipped.size} item(s) you skipped. Reload the page to see them again.`
      : 'The review queue is empty. Nothing needs a steward now.'));
    els.pos.textContent = `${state.total} in the queue`;
    els.form.hidden = true;
    return;
  }
  els.pos.textContent = `${state.total} in the queue${state.skipped.size ? `, ${state.skipped.size} skipped` : ''}`;
  els.item.dataset.itemId = item.id;
  els.item.dataset.kind = item.kind;
  els.item.dataset.state = 'ready';
  fill(els.item, item.kind === 'UNCERTAIN_LINK' && item.link ? linkItem(item) : personItem(item));
  els.form.hidden = false;
  const decidable = item.kind === 'UNCERTAIN_LINK' && item.link && item.link.a.sourceId && item.link.b.sourceId;
  $('#confirm').disabled = !decidable;
  $('#reject').disabled = !decidable;
  els.reason.value = '';
  state.pending = null;
}

function header(item) {
  return h('div', {class: 'item-head'},
    h('p', {}, h('span', {class: 'item-kind'}, item.kind === 'UNCERTAIN_LINK' ? 'Uncertain link' : 'Suspicious person'),
      ` · impact ${item.impact} · `, item.agencies.map((a) => agencyBadge(a))),
    h('p', {class: 'reasons'}, 'In the queue because: ', item.reasons.map((r) => r.replace(/_/g, ' ')).join('; ')));
}

const FIELDS = [
  ['Agency', (r) => r.agency.name],
  ['Record', (r) => (r.sourceId ? `${r.source}:${r.sourceId}` : `${r.source} (id withheld)`)],
  ['Given name', (r) => r.givenName],
  ['Middle names', (r) => r.middleNames],
  ['Family name', (r) => r.familyName],
  ['Date of birth', (r) => r.dob],
  ['Sex', (r) => r.sex],
  ['Addresses', (r) => (r.addresses || []).map((a) => `${a.address.display || a.address.postcode || 'address'}${a.current ? ' (current)' : ''}`).join('; ')],
  ['Phones', (r) => (r.phones || []).map((p) => p.number).join(', ')],
  ['Emails', (r) => (r.emails || []).join(', ')],
  ['Identifiers', (r) => r.identifiers.map((i) => `${i.scheme.replace(/_/g, ' ')} ${i.value}${i.valid ? '' : ' (fails check)'}`).join('; ')],
  ['School', (r) => (r.school ? r.school.name || r.school.urn : '')],
  ['Recorded', (r) => (r.recordedAt ? r.recordedAt.slice(0, 10) : '')],
  ['Flags', (r) => (r.flags || []).join(', ')],
];
const COMPARED = new Set(['Given name', 'Middle names', 'Family name', 'Date of birth', 'Sex', 'Addresses', 'Phones', 'Emails',
  'Identifiers', 'School']);
const norm = (v) => String(v || '').toLowerCase().replace(/[^a-z0-9]/g, '');

function compareTable(a, b) {
  return h('table', {class: 'side-by-side'},
    h('caption', {}, 'The two records, side by side (differences highlighted and marked ≠)'),
    h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Field'), h('th', {scope: 'col'}, 'Record A'), h('th', {scope: 'col'}, 'Record B'))),
    h('tbody', {}, FIELDS.map(([name, get]) => {
      const left = get(a) || '';
      const right = get(b) || '';
      const differs = COMPARED.has(name) && (left || right) && norm(left) !== norm(right);
      return h('tr', {class: differs ? 'differs' : ''},
        h('th', {scope: 'row'}, name, differs ? h('span', {class: 'visually-hidden'}, ' (differs)') : null),
        h('td', {}, left || h('span', {class: 'none'}, '—')), h('td', {}, right || h('span', {class: 'none'}, '—')));
    })));
}

function otherRecords(title, person, exclude) {
  if (!person) return h('div', {class: 'others'}, h('h3', {}, title), h('p', {class: 'hint'}, 'Not a person you may see.'));
  const others = person.records.edges.map((e) => e.node).filter((r) => !exclude.has(r.id));
  return h('div', {class: 'others'},
    h('h3', {}, `${title}: ${[person.givenName, person.familyName].filter(Boolean).join(' ') || 'name withheld'}`
      + `${person.dob ? `, born ${person.dob}` : ''} (${person.recordCount} record${person.recordCount === 1 ? '' : 's'})`),
    others.length ? h('ul', {}, others.map((r) => h('li', {}, agencyBadge(r.agency.code, r.agency.name), ' ',
      r.sourceId ? `${r.source}:${r.sourceId}` : r.source, ' — ',
      [r.givenName, r.familyName].filter(Boolean).join(' ') || 'name withheld', r.dob ? `, ${r.dob}` : '')))
      : h('p', {class: 'hint'}, 'No other records.'));
}

function linkItem(item) {
  const {link} = item;
  const same = item.leftPerson && item.rightPerson && item.leftPerson.id === item.rightPerson.id;
  const exclude = new Set([link.a.id, link.b.id]);
  const score = link.weight === null ? 'score withheld (it involves fields you may not see)'
    : `match weight ${link.weight.toFixed(1)} bits, probability ${(link.probability * 100).toFixed(1)}%`;
  return [
    header(item),
    h('p', {}, h('strong', {}, score), ` · ${same ? 'resolution put them in one person now' : 'resolution keeps them apart now'}`,
      link.blockingRules.length ? ` · proposed by ${link.blockingRules.join(', ')}` : '',
      link.cannotLink ? h('span', {class: 'withheld-value'}, ` cannot link: ${link.cannotLink}`) : null),
    h('div', {class: 'review-grid'},
      h('div', {class: 'compare-one'}, compareTable(link.a, link.b)),
      waterfall(link.explanation, link.weight)),
    h('div', {class: 'compare'},
      otherRecords('Other records of the person of A', item.leftPerson, exclude),
      same ? h('div', {}) : otherRecords('Other records of the person of B', item.rightPerson, exclude)),
  ];
}

function personItem(item) {
  const person = item.person;
  const records = person ? person.records.edges.map((e) => e.node) : [];
  return [
    header(item),
    h('p', {class: 'note'}, 'Split or merge this person from the steward API (splitPerson, mergePersons); here you can read and skip.'),
    person ? h('table', {class: 'compact'}, h('caption', {}, `Records of ${[person.givenName, person.familyName].filter(Boolean).join(' ') || 'this person'}`),
      h('thead', {}, h('tr', {}, ['Agency', 'Record', 'Name', 'Date of birth', 'Identifiers'].map((t) => h('th', {scope: 'col'}, t)))),
      h('tbody', {}, records.map((r) => h('tr', {}, h('td', {}, r.agency.name), h('td', {}, r.sourceId || '—'),
        h('td', {}, [r.givenName, r.familyName].filter(Boolean).join(' ')), h('td', {}, r.dob || '—'),
        h('td', {}, r.identifiers.map((i) => `${i.scheme} ${i.value}`).join('; ')))))) : null,
  ];
}

async function decide(mutation) {
  const item = state.items[state.index];
  if (!item || state.busy || !item.link) return;
  const reason = els.reason.value.trim();
  const word = mutation === 'confirmLink' ? 'confirm' : 'reject';
  if (!reason) {
    state.pending = mutation;
    announce(els.status, `Type the reason, then press Enter to ${word}.`);
    els.reason.focus();
    return;
  }
  state.busy = true;
  const ref = (r) => ({source: r.source, sourceId: r.sourceId});
  announce(els.status, `Sending: ${word}…`);
  const answer = await call(DECIDE(mutation), {a: ref(item.link.a), b: ref(item.link.b), reason});
  state.busy = false;
  if (!answer) return;
  const outcome = answer.data[mutation];
  announce(els.status, `${word === 'confirm' ? 'Confirmed' : 'Rejected'} (decision ${outcome.decision.id}); `
    + `people now: ${outcome.personIds.join(', ')}. Next item.`);
  await load();
  $('#review').focus();
}

function skip() {
  const item = state.items[state.index];
  if (!item) return;
  state.skipped.add(item.id);
  state.index += 1;
  if (state.index >= state.items.length && state.pageInfo && state.pageInfo.hasNextPage) {
    load(state.pageInfo.endCursor);
  } else {
    show();
  }
  announce(els.status, 'Skipped.');
}

function keys(event) {
  if (event.altKey || event.ctrlKey || event.metaKey || document.body.dataset.signedIn !== 'true') return;
  if (event.target === els.reason) {
    if (event.key === 'Enter' && !event.shiftKey && state.pending) {
      event.preventDefault();
      decide(state.pending);
    } else if (event.key === 'Escape') {
      state.pending = null;
      announce(els.status, 'Decision cancelled.');
      $('#review').focus();
    }
    return;
  }
  if (typing(event)) return;
  switch (event.key) {
    case 'c': decide('confirmLink'); break;
    case 'r': decide('rejectLink'); break;
    case 's': skip(); break;
    case '/': els.reason.focus(); break;
    default: return;
  }
  event.preventDefault();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
else init();
