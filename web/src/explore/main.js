// The analysts' network explorer (/explore): search, open a person's network, expand, hide, find the shortest
// path between two people, read the evidence, save and reopen a view, export a picture.
import {ApiError, explain, gql, redactionIndex} from '../common/api.js';
import {$, agencyBadge, announce, download, fill, h, typing} from '../common/dom.js';
import {takeFragment} from '../common/session.js';
import {setupSignIn} from '../common/signin.js';
import {createGraph, edgeId, edgeLabel, fitView, layout, nodeCaption, NODE_KINDS} from './graph.js';
import {edgePanel, householdPanel, identifierPanel, personPanel} from './panels.js';
import {HOUSEHOLD, NETWORK, PATH, PERSON, SEARCH} from './queries.js';

const VIEW_FORMAT = 'mashgraph-view';
const state = {
  session: null,
  cy: null,
  hidden: new Map(), // id -> element JSON, to show again
  queries: [], // what built the view, replayed when a saved view is opened
  pathEnds: {from: null, to: null},
  people: new Map(), // person id -> {person, withheld}: this page's memory only, gone on reload
  focusIndex: -1,
};
const els = {};

function init() {
  Object.assign(els, {graph: $('#graph'), status: $('#status'), details: $('#details'), detailsBody: $('#details-body'),
    detailsTitle: $('#details-title'), nodeList: $('#node-list'), nodeListCount: $('#node-list-count'),
    results: $('#results'), searchStatus: $('#search-status')});
  state.pendingPerson = takeFragment().person; // before anything else: the token leaves the address bar at once
  state.cy = createGraph(els.graph);
  wireGraph();
  wireTools();
  const signIn = setupSignIn({
    defaultPurpose: 'mash_enquiry',
    onSession(session) {
      state.session = session;
      state.people.clear(); // what one token may see is not what another may
      if (state.pendingPerson) {
        const person = state.pendingPerson;
        state.pendingPerson = null;
        openPerson(person);
      }
    },
    onSignOut() {
      state.session = null;
      clearView();
      fill(els.results);
    },
  });
  state.signIn = signIn;
  signIn.resume();
  // A deep link pasted into this tab's address bar changes only the fragment: take it the same way.
  window.addEventListener('hashchange', () => {
    state.pendingPerson = takeFragment().person;
    signIn.resume();
  });
}

// ------------------------------------------------------------------ calls
async function call(query, variables, statusEl = els.status) {
  try {
    return await gql(state.session, query, variables);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') state.signIn.showSignIn(explain(error), 'error');
    announce(statusEl, explain(error), 'error');
    setState('error');
    return null;
  }
}

function chosenKinds() {
  const kinds = [...document.querySelectorAll('#kinds input:checked')].map((i) => i.value);
  return kinds.length === 7 ? null : kinds;
}

function hops() {
  return Number($('#hops').value);
}

function limit() {
  const n = Number($('#limit').value);
  return Number.isFinite(n) && n > 0 ? Math.min(n, 500) : 100;
}

function setState(value) {
  els.graph.dataset.state = value;
}

// ------------------------------------------------------------------ search
async function search(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  const variables = {};
  for (const key of ['givenName', 'familyName', 'dob', 'postcode']) {
    const v = String(form.get(key) || '').trim();
    if (v) variables[key] = v;
  }
  const identifier = String(form.get('identifier') || '').trim();
  if (identifier) variables.identifier = {scheme: form.get('scheme'), value: identifier};
  if (!variables.familyName && !variables.identifier) {
    announce(els.searchStatus, 'Give at least a family name or an identifier.', 'error');
    $('#q-family').focus();
    return;
  }
  announce(els.searchStatus, 'Searching…');
  const answer = await call(SEARCH, variables, els.searchStatus);
  if (!answer) return;
  const matches = answer.data.searchPeople.edges.map((e) => e.node);
  fill(els.results, matches.map((m, i) => {
    const p = m.person;
    const name = [p.givenName, p.familyName].filter(Boolean).join(' ') || 'Name withheld';
    return h('li', {class: 'result-row'}, h('button', {type: 'button', class: 'result', dataset: {personId: p.id}, onclick: () => openPerson(p.id),
      'aria-label': `${name}${p.dob ? `, born ${p.dob}` : ''}, ${(m.score * 100).toFixed(1)} percent match. Open network.`},
    h('span', {class: 'result-name'}, `${i + 1}. ${name}`),
    h('span', {class: 'result-meta'}, [p.dob ? `born ${p.dob}` : null, p.currentAddress && p.currentAddress.postcode,
      `${(m.score * 100).toFixed(1)}% match`].filter(Boolean).join(' · ')),
    h('span', {class: 'result-badges'}, p.agenciesInvolved.map((a) => agencyBadge(a.code, a.name)),
      p.heldElsewhere.length ? h('span', {class: 'badge held-badge'}, 'held elsewhere') : null)),
    h('button', {type: 'button', class: 'secondary path-to', dataset: {personId: p.id}, 'aria-label': `Use ${name} as the end of a path`,
      onclick: () => {
        state.pathEnds.to = {id: p.id, label: name};
        $('#path-to').textContent = name;
        announce(els.status, `${name} is the end of the path. Choose a start in the network, then Find shortest path.`);
      }}, 'Path end'));
  }));
  announce(els.searchStatus, matches.length ? `${matches.length} candidate${matches.length > 1 ? 's' : ''}, best first.`
    : 'Nobody you may see matches.');
}

// ------------------------------------------------------------------ building the graph
function nodeData(node) {
  return {id: node.id, kind: node.kind, label: node.label, caption: nodeCaption(node), agencies: node.agencies || [],
    heldElsewhere: node.heldElsewhere || [], nameWithheld: Boolean(node.nameWithheld), truncated: node.truncated};
}

function nodeClasses(node) {
  return [node.heldElsewhere && node.heldElsewhere.length ? 'held' : '', node.nameWithheld ? 'withheld' : '',
    node.truncated ? 'truncated' : ''].filter(Boolean).join(' ');
}

/** Breadth-first distances from `start` over a network answer's edges. */
function distances(network, start) {
  const adjacent = new Map();
  for (const e of network.edges) {
    if (!adjacent.has(e.source)) adjacent.set(e.source, []);
    if (!adjacent.has(e.target)) adjacent.set(e.target, []);
    adjacent.get(e.source).push(e.target);
    adjacent.get(e.target).push(e.source);
  }
  const seen = new Map([[start, 0]]);
  const queue = [start];
  while (queue.length) {
    const id = queue.shift();
    for (const next of adjacent.get(id) || []) {
      if (!seen.has(next)) {
        seen.set(next, seen.get(id) + 1);
        queue.push(next);
      }
    }
  }
  return seen;
}

/**
 * Merge a network answer into the view. With `around` and `within`, only nodes at most `within` hops from
 * `around` are taken; with `max`, at most that many new nodes, nearest first. Hidden nodes stay hidden.
 */
function merge(answer, {around = null, within = Infinity, max = Infinity} = {}) {
  const cy = state.cy;
  const network = {...answer, edges: oneWayRelationships(answer.edges)};
  const distance = around ? distances(network, around) : null;
  let candidates = network.nodes.filter((n) => !cy.getElementById(n.id).nonempty() && !state.hidden.has(n.id));
  if (distance) candidates = candidates.filter((n) => distance.has(n.id) && distance.get(n.id) <= within);
  if (distance) candidates.sort((a, b) => distance.get(a.id) - distance.get(b.id));
  const taken = candidates.slice(0, max);
  const skipped = candidates.length - taken.length;
  const present = (id) => cy.getElementById(id).nonempty() || taken.some((n) => n.id === id);
  const households = new Set(network.nodes.filter((n) => n.kind === 'HOUSEHOLD').map((n) => n.id));
  const parentOf = new Map();
  for (const e of network.edges) {
    if (e.kind === 'MEMBER_OF' && households.has(e.target) && present(e.target) && !parentOf.has(e.source)) {
      parentOf.set(e.source, e.target);
    }
  }
  const elements = taken.map((n) => ({group: 'nodes', data: {...nodeData(n), parent: n.kind === 'PERSON' ? parentOf.get(n.id) : undefined},
    classes: nodeClasses(n)}));
  cy.batch(() => {
    cy.add(elements);
    // People already drawn whose household has just arrived move into its box.
    for (const [personId, householdId] of parentOf) {
      const person = cy.getElementById(personId);
      if (person.nonempty() && person.isOrphan() && person.data('kind') === 'PERSON') person.move({parent: householdId});
    }
    const edges = network.edges.filter((e) => present(e.source) && present(e.target) && !state.hidden.has(edgeId(e))
      && cy.getElementById(edgeId(e)).empty())
      .map((e) => ({group: 'edges', data: {id: edgeId(e), source: e.source, target: e.target, kind: e.kind,
        evidence: e.evidence, caption: edgeLabel(e)}, classes: edgeClasses(e)}));
    cy.add(edges);
    markContained();
  });
  return {added: taken.length, skipped, truncated: network.truncated};
}

/**
 * A relationship comes back from both people (Sara parent_of Ava, and Ava inverse_parent_of Sara): draw it
 * once, in the direction the agency recorded it, with the evidence of both.
 */
function oneWayRelationships(edges) {
  const byId = new Map();
  for (const edge of edges) {
    let e = edge;
    if (e.kind === 'RELATED' && e.evidence.every((x) => x.includes(':inverse_'))) {
      e = {...e, source: e.target, target: e.source, evidence: e.evidence.map((x) => x.replace(':inverse_', ':'))};
    }
    const id = edgeId(e);
    const seen = byId.get(id);
    byId.set(id, seen ? {...seen, evidence: [...new Set([...seen.evidence, ...e.evidence])].sort()} : e);
  }
  return [...byId.values()];
}

function edgeClasses(edge) {
  return edge.kind === 'LIVES_AT' && edge.evidence.every((e) => e.endsWith(':previous')) ? 'previous' : '';
}

/** A member's edge to the household box it is drawn inside says nothing the box does not: hide the line. */
function markContained() {
  state.cy.edges('[kind = "MEMBER_OF"]').forEach((edge) => {
    edge.toggleClass('contained', edge.source().parent().id() === edge.target().id());
  });
}

async function rendered() {
  updateCounts();
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
}

function updateCounts() {
  const cy = state.cy;
  els.graph.dataset.nodeCount = String(cy.nodes().length);
  els.graph.dataset.edgeCount = String(cy.edges().length);
  renderNodeList();
  $('#unhide').disabled = state.hidden.size === 0;
  $('#unhide').textContent = state.hidden.size ? `Show hidden (${state.hidden.size})` : 'Show hidden';
}

function clearView() {
  state.cy.elements().remove();
  state.hidden.clear();
  state.queries = [];
  state.focusIndex = -1;
  setPathEnd('from', null);
  setPathEnd('to', null);
  fill(els.detailsBody, h('p', {class: 'hint'}, 'Select a person, household, address, phone, school or link to see where it comes from.'));
  setState('empty');
  updateCounts();
}

// ------------------------------------------------------------------ opening, expanding, paths
async function openPerson(personId) {
  if (!state.session) return;
  setState('loading');
  announce(els.status, 'Loading the network…');
  performance.clearMarks();
  performance.mark('mg-network-start');
  const query = {op: 'network', personId, hops: hops(), kinds: chosenKinds()};
  const answer = await call(NETWORK, {id: personId, hops: query.hops, kinds: query.kinds});
  if (!answer) return;
  performance.mark('mg-network-data');
  const network = answer.data.network;
  clearView();
  if (!network) {
    announce(els.status, 'No such person, or none you may see.', 'error');
    setState('empty');
    return;
  }
  state.queries.push(query);
  merge(network);
  state.cy.getElementById(personId).addClass('start');
  performance.mark('mg-network-added');
  await layout(state.cy, {around: personId});
  performance.mark('mg-layout-done');
  await rendered();
  performance.mark('mg-network-rendered');
  performance.measure('mg-first-render', 'mg-network-start', 'mg-network-rendered');
  setState('ready');
  const start = state.cy.getElementById(personId);
  announce(els.status, `Network of ${start.data('label')}: ${state.cy.nodes().length} nodes, ${state.cy.edges().length} links`
    + `${network.truncated ? ' (size cap reached: not everything is shown)' : ''}.`);
  select(start);
}

/** Anchor for expanding a node: itself for a person, else a person drawn next to it (or in its box). */
function anchorFor(node) {
  if (node.data('kind') === 'PERSON') return {anchor: node.id(), extra: 0};
  const person = node.neighborhood('node[kind = "PERSON"]').union(node.children('[kind = "PERSON"]')).first();
  return person.nonempty() ? {anchor: person.id(), extra: 1} : null;
}

async function expand(node = selectedNode()) {
  if (!node) {
    announce(els.status, 'Select a node to expand first.', 'error');
    return;
  }
  const anchor = anchorFor(node);
  if (!anchor) {
    announce(els.status, 'Nothing to expand from here: no person is linked to it in view.', 'error');
    return;
  }
  // The API expands around people; for a household, address, phone or school it asks one hop further
  // around a linked person and keeps what lies within the chosen hops of the node itself.
  const wanted = hops();
  const query = {op: 'expand', nodeId: node.id(), personId: anchor.anchor, hops: Math.min(wanted + anchor.extra, 3),
    within: wanted, kinds: chosenKinds(), limit: limit()};
  await runExpand(query, node.data('label'));
}

async function runExpand(query, label) {
  setState('loading');
  announce(els.status, `Expanding ${label || 'the node'}…`);
  const answer = await call(NETWORK, {id: query.personId, hops: query.hops, kinds: query.kinds});
  if (!answer) return;
  if (!answer.data.network) {
    announce(els.status, 'That person is no longer one you may see.', 'error');
    setState('ready');
    return;
  }
  state.queries.push(query);
  const result = merge(answer.data.network, {around: query.nodeId, within: query.within, max: query.limit});
  await layout(state.cy, {incremental: true});
  await rendered();
  setState('ready');
  announce(els.status, `Added ${result.added} node${result.added === 1 ? '' : 's'}`
    + `${result.skipped ? `; ${result.skipped} more not shown (neighbour limit ${query.limit})` : ''}`
    + `. ${state.cy.nodes().length} nodes in view.`);
}

function setPathEnd(end, node) {
  state.pathEnds[end] = node ? {id: node.id(), label: node.data('label')} : null;
  $(`#path-${end}`).textContent = node ? node.data('label') : 'not chosen';
}

function choosePathEnd(end) {
  const node = selectedNode();
  if (!node || node.data('kind') !== 'PERSON') {
    announce(els.status, 'Select a person first: paths run between two people.', 'error');
    return;
  }
  setPathEnd(end, node);
  announce(els.status, `${node.data('label')} is the ${end === 'from' ? 'start' : 'end'} of the path.`);
}

async function findPath(replayed = null) {
  const {from, to} = state.pathEnds;
  const query = replayed || (from && to ? {op: 'path', from: from.id, to: to.id, hops: Number($('#path-hops').value), kinds: chosenKinds()} : null);
  if (!query) {
    announce(els.status, 'Choose a start and an end person first.', 'error');
    return;
  }
  setState('loading');
  announce(els.status, 'Looking for the shortest path…');
  const answer = await call(PATH, {from: query.from, to: query.to, hops: query.hops, kinds: query.kinds});
  if (!answer) return;
  const path = answer.data.path;
  state.cy.elements().removeClass('onpath');
  if (!path) {
    setState('ready');
    announce(els.status, `No connection within ${query.hops} hops through what you may see.`);
    return;
  }
  state.queries.push(query);
  merge(path);
  for (const n of path.nodes) state.cy.getElementById(n.id).addClass('onpath');
  for (const e of oneWayRelationships(path.edges)) state.cy.getElementById(edgeId(e)).addClass('onpath');
  els.graph.dataset.pathLength = String(path.edges.length);
  await layout(state.cy, {incremental: true});
  await rendered();
  setState('ready');
  const names = path.nodes.filter((n) => n.kind === 'PERSON').map((n) => n.label);
  announce(els.status, `Shortest path: ${path.edges.length} link${path.edges.length === 1 ? '' : 's'} (${names.join(' → ')}), highlighted.`);
}

function hide(target = state.cy.$(':selected')) {
  const cy = state.cy;
  if (!target || target.empty()) {
    announce(els.status, 'Select something to hide first.', 'error');
    return;
  }
  cy.batch(() => {
    target.nodes().children().move({parent: null}); // a hidden household leaves its members in view
    const edges = target.edges().union(target.nodes().connectedEdges());
    for (const ele of target.nodes().union(edges)) state.hidden.set(ele.id(), ele.json());
    target.nodes().union(edges).remove();
    markContained();
  });
  updateCounts();
  fill(els.detailsBody, h('p', {class: 'hint'}, 'Hidden. "Show hidden" brings it back.'));
  announce(els.status, `Hidden. ${cy.nodes().length} nodes in view.`);
  els.graph.focus();
}

async function unhide() {
  const cy = state.cy;
  const saved = [...state.hidden.values()];
  state.hidden.clear();
  cy.batch(() => {
    cy.add(saved.filter((e) => e.group === 'nodes').map((e) => ({...e, data: {...e.data, parent: undefined}})));
    cy.add(saved.filter((e) => e.group === 'edges' && cy.getElementById(e.data.source).nonempty()
      && cy.getElementById(e.data.target).nonempty()));
    for (const e of saved.filter((x) => x.group === 'edges' && x.data.kind === 'MEMBER_OF')) {
      const person = cy.getElementById(e.data.source);
      if (person.nonempty() && person.isOrphan() && cy.getElementById(e.data.target).nonempty()) person.move({parent: e.data.target});
    }
    markContained();
  });
  await layout(cy, {incremental: true});
  await rendered();
  announce(els.status, `Shown again. ${cy.nodes().length} nodes in view.`);
}

// ------------------------------------------------------------------ selection and the side panel
function selectedNode() {
  const node = state.cy.$('node:selected').first();
  return node.nonempty() ? node : null;
}

function select(ele) {
  state.cy.elements().unselect();
  ele.select();
  showDetails(ele);
}

const handlers = {
  expand: () => expand(),
  hide: () => hide(),
  pathFrom: () => choosePathEnd('from'),
  pathTo: () => choosePathEnd('to'),
};

async function personView(id) {
  if (!state.people.has(id)) {
    const answer = await call(PERSON, {id});
    if (!answer || !answer.data.person) return null;
    state.people.set(id, {person: answer.data.person, withheld: redactionIndex(answer.redactions)});
  }
  return state.people.get(id);
}

async function showDetails(ele) {
  const token = Symbol('details');
  state.detailsToken = token;
  const show = (title, content) => {
    if (state.detailsToken !== token) return; // a later selection won
    els.detailsTitle.textContent = title;
    fill(els.detailsBody, content);
    els.details.dataset.showing = ele.id();
  };
  show('Details', h('p', {class: 'hint'}, 'Loading…'));
  if (ele.isEdge()) {
    const edge = ele.data();
    const ends = [ele.source().data(), ele.target().data()];
    const personEnd = ends.find((n) => n.kind === 'PERSON');
    const view = personEnd ? await personView(personEnd.id) : null;
    show('Link evidence', edgePanel(edge, ends, view && view.person));
    return;
  }
  const data = ele.data();
  if (data.kind === 'PERSON') {
    const view = await personView(data.id);
    show('Person', view ? [personPanel(view.person, view.withheld, handlers), linksInView(ele)]
      : h('p', {}, 'This person is not one you may open now.'));
  } else if (data.kind === 'HOUSEHOLD') {
    const answer = await call(HOUSEHOLD, {id: data.id});
    show('Household', answer && answer.data.household ? householdPanel(answer.data.household, handlers)
      : h('p', {}, 'This household is not one you may open now.'));
  } else {
    const people = ele.neighborhood('node[kind = "PERSON"]').map((n) => n.data());
    show(NODE_KINDS[data.kind] ? NODE_KINDS[data.kind].name : data.kind, [identifierPanel(data, people, handlers), linksInView(ele)]);
  }
}

/** The node's links drawn in view, as buttons that open each link's evidence (the keyboard way to edges). */
function linksInView(node) {
  const edges = node.connectedEdges();
  if (edges.empty()) return null;
  return [h('h3', {}, `Links in view (${edges.length})`), h('ul', {class: 'links-in-view'}, edges.map((edge) => {
    const other = edge.source().id() === node.id() ? edge.target() : edge.source();
    return h('li', {}, h('button', {type: 'button', class: 'secondary', dataset: {edgeId: edge.id()}, onclick: () => select(edge)},
      `${edge.data('caption')}: ${other.data('label')}`));
  }))];
}

// ------------------------------------------------------------------ keyboard and the node list
function orderedNodes() {
  const order = Object.keys(NODE_KINDS);
  return state.cy.nodes().sort((a, b) => order.indexOf(a.data('kind')) - order.indexOf(b.data('kind'))
    || String(a.data('label')).localeCompare(String(b.data('label'))));
}

function describe(node) {
  const d = node.data();
  const kind = NODE_KINDS[d.kind] ? NODE_KINDS[d.kind].name : d.kind;
  const parts = [`${kind}: ${d.label}`];
  if (d.agencies && d.agencies.length) parts.push(`known to ${d.agencies.join(', ')}`);
  for (const held of d.heldElsewhere || []) parts.push(`held, not disclosed, by ${held.agency.name || held.agency.code}: contact ${held.contact}`);
  if (d.nameWithheld) parts.push('name withheld');
  parts.push(`${node.connectedEdges().length} links`);
  return parts.join('; ');
}

function renderNodeList() {
  const nodes = orderedNodes();
  els.nodeListCount.textContent = String(nodes.length);
  fill(els.nodeList, nodes.map((node) => {
    const d = node.data();
    return h('li', {class: `node-item kind-${d.kind.toLowerCase()}${node.hasClass('onpath') ? ' onpath' : ''}`},
      h('button', {type: 'button', dataset: {nodeId: d.id, kind: d.kind}, onclick: () => {
        select(node);
        state.cy.animate({center: {eles: node}}, {duration: 150});
      }},
      h('span', {class: `kind-chip k-${d.kind.toLowerCase()}`}, NODE_KINDS[d.kind] ? NODE_KINDS[d.kind].name : d.kind), ' ',
      d.label, ' ', (d.agencies || []).map((a) => agencyBadge(a)),
      (d.heldElsewhere || []).map((x) => h('span', {class: 'badge held-badge'}, `held by ${x.agency.name || x.agency.code} — contact ${x.contact}`)),
      d.nameWithheld ? h('span', {class: 'badge withheld-badge'}, 'name withheld') : null,
      node.hasClass('onpath') ? h('span', {class: 'badge path-badge'}, 'on path') : null));
  }));
}

function moveFocus(step) {
  const nodes = orderedNodes();
  if (!nodes.length) return;
  state.focusIndex = (state.focusIndex + step + nodes.length) % nodes.length;
  const node = nodes[state.focusIndex];
  state.cy.nodes().removeClass('focused');
  node.addClass('focused');
  state.cy.elements().unselect();
  node.select();
  state.cy.animate({center: {eles: node}}, {duration: 120});
  announce(els.status, describe(node));
}

function graphKeys(event) {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  const node = selectedNode();
  switch (event.key) {
    case 'ArrowRight': case 'ArrowDown': moveFocus(1); break;
    case 'ArrowLeft': case 'ArrowUp': moveFocus(-1); break;
    case 'Enter': case ' ': if (node) { showDetails(node); els.details.focus(); } break;
    case 'e': expand(); break;
    case 'Delete': case 'Backspace': hide(); break;
    case 'f': fitView(state.cy); break;
    case 's': choosePathEnd('from'); break;
    case 't': choosePathEnd('to'); break;
    default: return;
  }
  event.preventDefault();
}

function wireGraph() {
  const cy = state.cy;
  cy.on('tap', 'node, edge', (event) => select(event.target));
  els.graph.addEventListener('keydown', graphKeys);
  // The canvas follows its container (the node list opening, the window resizing) and keeps it all in sight.
  new ResizeObserver(() => {
    cy.resize();
    fitView(cy);
  }).observe(els.graph);
}

// ------------------------------------------------------------------ saving, opening, exporting
function saveView() {
  const cy = state.cy;
  if (!state.queries.length) {
    announce(els.status, 'Nothing to save yet.', 'error');
    return;
  }
  // Ids, positions and the questions asked: no names or values. Opening the file asks the API again, so a
  // reopened view shows what the sharing policy allows the person opening it, now.
  const view = {
    format: VIEW_FORMAT, version: 1, savedAt: new Date().toISOString(), purpose: state.session.purpose,
    queries: state.queries, nodes: cy.nodes().map((n) => n.id()), hidden: [...state.hidden.keys()],
    positions: Object.fromEntries(cy.nodes().filter((n) => !n.isParent()).map((n) => [n.id(), n.position()])),
    onPath: cy.$('.onpath').map((e) => e.id()), zoom: cy.zoom(), pan: cy.pan(),
  };
  download(new Blob([JSON.stringify(view, null, 1)], {type: 'application/json'}), 'mashgraph-view.json');
  announce(els.status, `View saved (${view.nodes.length} nodes).`);
}

async function openView(event) {
  const file = event.target.files && event.target.files[0];
  event.target.value = '';
  if (!file) return;
  let view;
  try {
    view = JSON.parse(await file.text());
    if (view.format !== VIEW_FORMAT || view.version !== 1 || !Array.isArray(view.queries) || !Array.isArray(view.nodes)) {
      throw new Error('not a mashgraph view file');
    }
  } catch (error) {
    announce(els.status, `That file cannot be opened: ${error.message}.`, 'error');
    return;
  }
  await replay(view);
}

async function replay(view) {
  const cy = state.cy;
  clearView();
  setState('loading');
  announce(els.status, 'Opening the saved view…');
  for (const query of view.queries) {
    if (query.op === 'network') {
      const answer = await call(NETWORK, {id: query.personId, hops: query.hops, kinds: query.kinds});
      if (!answer) return;
      if (answer.data.network) merge(answer.data.network);
    } else if (query.op === 'expand') {
      const answer = await call(NETWORK, {id: query.personId, hops: query.hops, kinds: query.kinds});
      if (!answer) return;
      if (answer.data.network) merge(answer.data.network, {around: query.nodeId, within: query.within});
    } else if (query.op === 'path') {
      const answer = await call(PATH, {from: query.from, to: query.to, hops: query.hops, kinds: query.kinds});
      if (!answer) return;
      if (answer.data.path) merge(answer.data.path);
    }
  }
  state.queries = view.queries;
  const wanted = new Set(view.nodes);
  const extra = cy.nodes().filter((n) => !wanted.has(n.id()));
  extra.children().move({parent: null});
  cy.batch(() => extra.remove());
  const hidden = cy.collection(view.hidden.map((id) => cy.getElementById(id)).filter((e) => e.nonempty()));
  if (hidden.nonempty()) hide(hidden);
  for (const id of view.onPath || []) cy.getElementById(id).addClass('onpath');
  markContained();
  const missing = view.nodes.filter((id) => cy.getElementById(id).empty() && !state.hidden.has(id)).length;
  const positions = view.positions || {};
  if (Object.keys(positions).length) {
    cy.nodes().filter((n) => !n.isParent() && positions[n.id()]).positions((n) => positions[n.id()]);
    if (view.zoom && view.pan) cy.viewport({zoom: view.zoom, pan: view.pan});
  } else {
    await layout(cy);
  }
  await rendered();
  setState('ready');
  announce(els.status, `Saved view opened: ${cy.nodes().length} nodes`
    + `${missing ? `; ${missing} of the saved nodes are not available to you now` : ''}.`);
}

function exportPng() {
  if (state.cy.nodes().empty()) {
    announce(els.status, 'Nothing to export yet.', 'error');
    return;
  }
  const blob = state.cy.png({output: 'blob', full: true, scale: 2, bg: '#ffffff'});
  download(blob, 'mashgraph-network.png');
  announce(els.status, 'Picture exported.');
}

// ------------------------------------------------------------------ wiring
function wireTools() {
  $('#search').addEventListener('submit', search);
  $('#expand').addEventListener('click', () => expand());
  $('#hide').addEventListener('click', () => hide());
  $('#unhide').addEventListener('click', unhide);
  $('#path-set-from').addEventListener('click', () => choosePathEnd('from'));
  $('#path-set-to').addEventListener('click', () => choosePathEnd('to'));
  $('#path-find').addEventListener('click', () => findPath());
  $('#fit').addEventListener('click', () => fitView(state.cy));
  $('#relayout').addEventListener('click', async () => { await layout(state.cy); await rendered(); });
  $('#clear').addEventListener('click', clearView);
  $('#save').addEventListener('click', saveView);
  $('#open').addEventListener('change', openView);
  $('#png').addEventListener('click', exportPng);
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !typing(event)) els.graph.focus();
  });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
else init();
