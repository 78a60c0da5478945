// The side panel: a person's golden record with provenance and timeline, a household, an identifier node,
// and the evidence for an edge. Everything is built as text nodes from the API's answer.
import {agencyBadge, h} from '../common/dom.js';
import {EDGE_KINDS, NODE_KINDS, edgeLabel} from './graph.js';

const FIELD_NAMES = {givenName: 'Given name', middleNames: 'Middle names', familyName: 'Family name', dob: 'Date of birth',
  sex: 'Sex', currentAddress: 'Current address'};

/** A value, or a visible 'withheld' marker with the policy's reason when the API redacted it. */
function value(v, withheldReason) {
  if (v !== null && v !== undefined && v !== '') return String(v);
  if (withheldReason) return h('span', {class: 'withheld-value'}, `withheld (${withheldReason.toLowerCase().replace(/_/g, ' ')})`);
  return h('span', {class: 'none'}, 'not recorded');
}

function addressText(address) {
  if (!address) return null;
  return address.display || address.postcode || null;
}

export function heldNotices(held) {
  if (!held || !held.length) return null;
  return h('div', {class: 'held-box', role: 'note'},
    h('h3', {}, 'Held, not disclosed'),
    h('p', {}, 'An agency holds information on this person that it has not disclosed to you. Contact them:'),
    h('ul', {}, held.map((notice) => h('li', {class: 'held-notice'},
      h('strong', {}, notice.agency.name || notice.agency.code), ': ', notice.contact,
      notice.since ? ` (since ${notice.since.slice(0, 10)})` : ''))));
}

function actions(buttons) {
  return h('div', {class: 'buttons panel-actions'}, buttons.map(([label, onclick, key]) =>
    h('button', {type: 'button', onclick, 'aria-keyshortcuts': key}, label)));
}

function tabs(id, panes) {
  // A tab list (WAI-ARIA tabs pattern: arrow keys move between tabs).
  const list = h('div', {role: 'tablist', class: 'tabs', 'aria-label': 'Person details'});
  const panels = [];
  panes.forEach(([title, content], i) => {
    const tab = h('button', {type: 'button', role: 'tab', id: `${id}-tab-${i}`, 'aria-controls': `${id}-pane-${i}`,
      'aria-selected': i === 0 ? 'true' : 'false', tabindex: i === 0 ? '0' : '-1'}, title);
    const panel = h('div', {role: 'tabpanel', id: `${id}-pane-${i}`, 'aria-labelledby': `${id}-tab-${i}`, hidden: i !== 0},
      content);
    list.append(tab);
    panels.push(panel);
  });
  const select = (index) => {
    [...list.children].forEach((tab, i) => {
      tab.setAttribute('aria-selected', i === index ? 'true' : 'false');
      tab.tabIndex = i === index ? 0 : -1;
      panels[i].hidden = i !== index;
    });
    list.children[index].focus();
  };
  list.addEventListener('click', (event) => {
    const index = [...list.children].indexOf(event.target.closest('[role=tab]'));
    if (index >= 0) select(index);
  });
  list.addEventListener('keydown', (event) => {
    const current = [...list.children].findIndex((t) => t.getAttribute('aria-selected') === 'true');
    if (event.key === 'ArrowRight') select((current + 1) % panels.length);
    else if (event.key === 'ArrowLeft') select((current - 1 + panels.length) % panels.length);
    else return;
    event.preventDefault();
  });
  return [list, ...panels];
}

/** The single view of a person. `withheld` maps response paths to redaction reasons. */
export function personPanel(person, withheld, handlers) {
  const reason = (field) => withheld.get(`person.${field}`);
  const records = person.records.edges.map((e) => e.node);
  const byRecord = new Map(records.map((r) => [r.id, r]));
  const golden = h('dl', {class: 'golden'},
    ['givenName', 'middleNames', 'familyName', 'dob', 'sex'].map((field) => [
      h('dt', {}, FIELD_NAMES[field]), h('dd', {}, value(person[field], reason(field)), provenanceOf(person, field))]),
    h('dt', {}, 'Current address'),
    h('dd', {}, value(addressText(person.currentAddress), reason('currentAddress')), provenanceOf(person, 'currentAddress')),
    person.aliases && person.aliases.length ? [h('dt', {}, 'Also known as'), h('dd', {}, person.aliases.join('; '))] : null);

  const identifiers = person.identifiers.length
    ? h('table', {class: 'compact'}, h('caption', {}, 'Identifiers'),
      h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Scheme'), h('th', {scope: 'col'}, 'Value'), h('th', {scope: 'col'}, 'From'))),
      h('tbody', {}, person.identifiers.map((id) => h('tr', {},
        h('td', {}, id.scheme.replace(/_/g, ' ')), h('td', {}, id.value, id.valid ? '' : ' (fails its check)'),
        h('td', {}, id.sources.join(', '))))))
    : null;

  const recordList = h('ul', {class: 'records'}, records.map((r) => h('li', {class: 'record'},
    agencyBadge(r.agency.code, r.agency.name), ' ',
    h('span', {class: 'record-id'}, r.sourceId ? `${r.source}:${r.sourceId}` : `${r.source} record (id withheld)`),
    ' — ', [r.givenName, r.middleNames, r.familyName].filter(Boolean).join(' ') || 'name withheld',
    r.dob ? `, born ${r.dob}` : '', r.recordedAt ? `, recorded ${r.recordedAt.slice(0, 10)}` : '',
    r.flags && r.flags.length ? h('span', {class: 'flags'}, ` flags: ${r.flags.join(', ')}`) : null)));

  const links = person.links.edges.map((e) => e.node);
  const linkList = links.length ? h('ul', {class: 'links'}, links.map((link) => h('li', {},
    `${link.a.source}:${link.a.sourceId || '…'} ↔ ${link.b.source}:${link.b.sourceId || '…'}: `,
    link.weight === null ? 'score withheld' : `match weight ${link.weight.toFixed(1)} bits (probability ${(link.probability * 100).toFixed(1)}%)`,
    link.blockingRules.length ? h('span', {class: 'hint'}, ` — match key: ${link.blockingRules.join(', ')}`) : null,
    h('ul', {class: 'evidence-list'}, link.explanation.map((x) => h('li', {class: x.weight >= 0 ? 'up' : 'down'},
      `${x.comparison}: ${x.level} (${x.weight >= 0 ? '+' : ''}${x.weight.toFixed(1)})`))))))
    : h('p', {class: 'hint'}, 'No scored links you may see (one record, or the comparisons involve withheld fields).');

  const household = person.household
    ? h('p', {}, `Household of ${person.household.size}`, person.household.address ? ` at ${addressText(person.household.address)}` : '')
    : h('p', {class: 'hint'}, 'No current household you may see.');

  const details = [
    golden, identifiers,
    h('h3', {}, 'Household'), household,
    h('h3', {}, `Records (${person.recordCount})`), recordList,
    h('h3', {}, 'Why these records are one person'), linkList,
  ];
  return [
    h('p', {class: 'kind-line'}, h('span', {class: 'kind-chip k-person'}, 'Person'), ' ',
      person.agenciesInvolved.map((a) => agencyBadge(a.code, a.name))),
    h('h3', {class: 'person-name'}, [person.givenName, person.familyName].filter(Boolean).join(' ') || 'Name withheld'),
    person.resolution.kind !== 'SAME'
      ? h('p', {class: 'note'}, `The id you followed was ${person.resolution.kind.toLowerCase()}: this is the person it leads to now.`) : null,
    person.breakGlass ? h('p', {class: 'note'}, 'Shown under a break-glass grant.') : null,
    heldNotices(person.heldElsewhere),
    actions([
      ['Expand', handlers.expand, 'e'], ['Hide', handlers.hide, 'Delete'],
      ['Path start', handlers.pathFrom, 's'], ['Path end', handlers.pathTo, 't'],
    ]),
    ...tabs(`p-${person.id}`, [['Record', details], ['Timeline', timeline(person, byRecord)]]),
  ];

  function provenanceOf(p, field) {
    const prov = p.provenance.find((x) => x.field === field);
    if (!prov) return null;
    const sources = prov.recordIds.map((id) => byRecord.get(id)).filter(Boolean)
      .map((r) => (r.sourceId ? `${r.source}:${r.sourceId}` : r.source));
    return h('span', {class: 'provenance'}, ` from ${sources.length ? sources.join(', ') : prov.sources.join(', ')}`);
  }
}

/** Each record, and each address period, of one person by date (undated ones last). */
export function timeline(person, byRecord) {
  const events = [];
  for (const r of byRecord.values()) {
    if (r.recordedAt) events.push({date: r.recordedAt.slice(0, 10), agency: r.agency, text: `${r.agency.name} record ${r.sourceId || ''} recorded`});
    for (const period of r.addresses || []) {
      const where = addressText(period.address) || 'an address';
      if (period.from) events.push({date: period.from, agency: r.agency, text: `Moved to ${where}`});
      if (period.to) events.push({date: period.to, agency: r.agency, text: `Left ${where}`});
    }
  }
  if (person.dob) events.push({date: person.dob, agency: null, text: 'Born'});
  const undated = [...byRecord.values()].filter((r) => !r.recordedAt);
  events.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return h('div', {class: 'timeline'},
    events.length ? h('ol', {class: 'timeline-list', 'aria-label': 'Records and addresses by date'},
      events.map((event) => h('li', {},
        h('time', {datetime: event.date}, event.date), ' ',
        event.agency ? agencyBadge(event.agency.code, event.agency.name) : null, ' ', event.text)))
      : h('p', {class: 'hint'}, 'No dated events you may see.'),
    undated.length ? [h('h4', {}, 'Records without a date'), h('ul', {}, undated.map((r) => h('li', {},
      agencyBadge(r.agency.code, r.agency.name), ' ', r.sourceId ? `${r.source}:${r.sourceId}` : `${r.source} record`)))] : null);
}

export function householdPanel(household, handlers) {
  const members = household.members.edges.map((e) => e.node);
  return [
    h('p', {class: 'kind-line'}, h('span', {class: 'kind-chip k-household'}, 'Household')),
    h('h3', {}, `Household of ${household.size}`),
    h('p', {}, 'Address: ', value(addressText(household.address))),
    actions([['Expand', handlers.expand, 'e'], ['Hide', handlers.hide, 'Delete']]),
    h('h3', {}, 'Members and why they are members'),
    h('ul', {}, members.map((m) => h('li', {},
      [m.person.givenName, m.person.familyName].filter(Boolean).join(' ') || 'Name withheld',
      m.person.dob ? ` (born ${m.person.dob})` : '', ' — ', h('span', {class: 'evidence'}, m.evidence || 'member')))),
    household.addressHistory && household.addressHistory.length ? [h('h3', {}, 'Address history'),
      h('ul', {}, household.addressHistory.map((p) => h('li', {}, addressText(p.address) || 'address',
        ` (${p.from || '?'} – ${p.current ? 'now' : p.to || '?'}; ${p.sources.join(', ')})`)))] : null,
  ];
}

export function identifierPanel(node, people, handlers) {
  const spec = NODE_KINDS[node.kind] || {name: node.kind};
  return [
    h('p', {class: 'kind-line'}, h('span', {class: `kind-chip k-${node.kind.toLowerCase()}`}, spec.name)),
    h('h3', {}, node.label),
    node.truncated ? h('p', {class: 'note'}, 'Shared by more records than are shown (a hostel, a switchboard, a large school): not every neighbour is drawn.') : null,
    actions([['Expand', handlers.expand, 'e'], ['Hide', handlers.hide, 'Delete']]),
    h('h3', {}, `Linked people in view (${people.length})`),
    h('ul', {}, people.map((p) => h('li', {}, p.label, ' ', p.agencies.map((a) => agencyBadge(a))))),
  ];
}

/**
 * Where an edge comes from: each record that gives it (agency, record id, date), the shared value (the
 * match key) and, for household membership, how resolution placed the person.
 */
export function edgePanel(edge, ends, person) {
  const [from, to] = ends;
  const spec = EDGE_KINDS[edge.kind] || {name: edge.kind};
  const byAgency = new Map();
  for (const item of edge.evidence) {
    const [source, ...rest] = item.split(':');
    if (!byAgency.has(source)) byAgency.set(source, []);
    byAgency.get(source).push(rest.join(':') || item);
  }
  const other = from.kind === 'PERSON' ? to : from;
  const records = person ? supportingRecords(edge, person, other) : [];
  return [
    h('p', {class: 'kind-line'}, h('span', {class: 'kind-chip edge-chip'}, `Link: ${spec.name}`)),
    h('h3', {}, `${from.label} — ${edgeLabel(edge)} — ${to.label}`),
    h('dl', {class: 'golden'},
      h('dt', {}, 'Kind'), h('dd', {}, `${edge.kind.toLowerCase().replace(/_/g, ' ')}`),
      h('dt', {}, 'Match key'), h('dd', {}, matchKey(edge, other)),
      h('dt', {}, 'Score'), h('dd', {}, edge.kind === 'MEMBER_OF' || edge.kind === 'LOCATED_AT'
        ? 'decided by household resolution (no score)'
        : 'recorded by the agency (the value is shared, not scored)')),
    h('h3', {}, 'Evidence'),
    h('ul', {class: 'evidence-list'}, [...byAgency].map(([source, details]) => h('li', {},
      source === 'resolution' ? h('strong', {}, 'Resolution') : agencyBadge(source), ' ', details.map((d) => d.replace(/_/g, ' ')).join(', ')))),
    person ? [h('h3', {}, 'Source records'), records.length
      ? h('ul', {class: 'records'}, records.map((r) => h('li', {class: 'record'}, agencyBadge(r.agency.code, r.agency.name), ' ',
        r.sourceId ? `${r.source}:${r.sourceId}` : `${r.source} record`, ` (${r.agency.name})`,
        r.recordedAt ? `, recorded ${r.recordedAt.slice(0, 10)}` : ', date not recorded')))
      : h('p', {class: 'hint'}, 'The records behind this link are not ones you may open.')] : null,
  ];
}

function matchKey(edge, other) {
  switch (edge.kind) {
    case 'USES_PHONE': return `phone number ${other.label}`;
    case 'USES_EMAIL': return `email ${other.label}`;
    case 'LIVES_AT': case 'LOCATED_AT': return `address ${other.label}`;
    case 'ATTENDS': return `school ${other.label}`;
    case 'MEMBER_OF': return edge.evidence.map((e) => e.replace(/^resolution:/, '')).join(', ').replace(/_/g, ' ');
    case 'RELATED': return 'a relationship recorded by the agency';
    default: return other.label;
  }
}

function supportingRecords(edge, person, other) {
  const records = person.records.edges.map((e) => e.node);
  const sources = new Set(edge.evidence.map((e) => e.split(':')[0]));
  const gives = (r) => {
    switch (edge.kind) {
      case 'USES_PHONE': return (r.phones || []).some((p) => p.number === other.label);
      case 'USES_EMAIL': return (r.emails || []).includes(other.label);
      case 'LIVES_AT': return (r.addresses || []).some((a) => [a.address.display, a.address.postcode].includes(other.label));
      case 'ATTENDS': return Boolean(r.school);
      case 'RELATED': return (r.relationships || []).some((rel) => rel.person && rel.person.id === other.id);
      default: return false;
    }
  };
  return records.filter((r) => sources.has(r.source) && gives(r));
}
