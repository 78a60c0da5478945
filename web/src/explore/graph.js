// The graph: cytoscape.js with the fCoSE layout. Households are compound nodes that contain their members,
// so a household stays together in every layout; node kinds have their own shape and colour, edge kinds
// their own line style, colour and label.
import cytoscape from 'cytoscape';
import fcose from 'cytoscape-fcose';
import {agencyShort} from '../common/dom.js';
import {egoPositions} from './ego.js';

cytoscape.use(fcose);

export const NODE_KINDS = {
  PERSON: {name: 'Person', shape: 'ellipse', colour: '#1d4f91'},
  HOUSEHOLD: {name: 'Household', shape: 'round-rectangle', colour: '#8a5a00'},
  ADDRESS: {name: 'Address', shape: 'diamond', colour: '#1e6b34'},
  PHONE: {name: 'Phone', shape: 'triangle', colour: '#6a3d9a'},
  EMAIL: {name: 'Email', shape: 'rectangle', colour: '#00695c'},
  SCHOOL: {name: 'School', shape: 'hexagon', colour: '#a63d00'},
};

export const EDGE_KINDS = {
  MEMBER_OF: {name: 'member of', colour: '#8a5a00', line: 'solid'},
  LOCATED_AT: {name: 'household address', colour: '#8a5a00', line: 'solid'},
  LIVES_AT: {name: 'lives at', colour: '#1e6b34', line: 'solid'},
  USES_PHONE: {name: 'phone', colour: '#6a3d9a', line: 'dotted'},
  USES_EMAIL: {name: 'email', colour: '#00695c', line: 'dotted'},
  ATTENDS: {name: 'attends', colour: '#a63d00', line: 'dashed'},
  RELATED: {name: 'related', colour: '#1d4f91', line: 'solid'},
};

const RELATION_WORDS = {
  parent_of: 'parent of', child_of: 'child of', sibling_of: 'sibling of', partner_of: 'partner of',
  carer_of: 'carer of', other: 'related',
};

/** How an edge is labelled on the graph: its kind, or for a recorded relationship the relationship. */
export function edgeLabel(edge) {
  if (edge.kind === 'RELATED') {
    const types = new Set((edge.evidence || []).map((e) => e.split(':').slice(1).join(':'))
      .filter((t) => t && !t.startsWith('inverse_')));
    const words = [...types].map((t) => RELATION_WORDS[t] || t.replace(/_/g, ' '));
    return words.length ? words.join(', ') : 'related';
  }
  if (edge.kind === 'LIVES_AT' && (edge.evidence || []).every((e) => e.endsWith(':previous'))) return 'lived at';
  return EDGE_KINDS[edge.kind] ? EDGE_KINDS[edge.kind].name : edge.kind.toLowerCase();
}

/** The text drawn under a node: its label, the agencies that know a person, and any hold. */
export function nodeCaption(node) {
  const lines = [node.label];
  if (node.kind === 'PERSON') {
    if (node.agencies && node.agencies.length) lines.push(node.agencies.map(agencyShort).join(' · '));
    for (const held of node.heldElsewhere || []) lines.push(`⚑ held by ${held.agency.name || held.agency.code}`);
  }
  if (node.truncated) lines.push('(more not shown)');
  return lines.join('\n');
}

export function edgeId(edge) {
  return `${edge.source}|${edge.kind}|${edge.target}`;
}

const STYLE = [
  {selector: 'node', style: {
    label: 'data(caption)', 'text-wrap': 'wrap', 'text-max-width': 140, 'font-size': 11, 'font-family': 'DejaVu Sans, Arial, sans-serif',
    'text-valign': 'bottom', 'text-margin-y': 4, color: '#111', 'text-background-color': '#fff',
    'text-background-opacity': 0.85, 'text-background-padding': 2, 'text-background-shape': 'round-rectangle',
    width: 26, height: 26, 'border-width': 2, 'border-color': '#fff',
    'min-zoomed-font-size': 7, // labels too small to read are not drawn (a large network stays fast and legible)
  }},
  ...Object.entries(NODE_KINDS).map(([kind, spec]) => ({selector: `node[kind = "${kind}"]`,
    style: {shape: spec.shape, 'background-color': spec.colour}})),
  {selector: 'node[kind = "PERSON"]', style: {width: 30, height: 30}},
  {selector: 'node[kind = "HOUSEHOLD"]', style: {width: 34, height: 24}},
  {selector: 'node[kind = "HOUSEHOLD"]:parent', style: {
    'background-color': '#fdf3dc', 'background-opacity': 1, 'border-color': '#8a5a00', 'border-width': 2,
    'border-style': 'solid', shape: 'round-rectangle', padding: 14, 'text-valign': 'top', 'text-halign': 'center',
    'text-margin-y': -4, 'font-weight': 'bold',
  }},
  {selector: 'node.held', style: {'border-color': '#b00020', 'border-width': 4, 'border-style': 'double'}},
  {selector: 'node.withheld', style: {'background-color': '#6b6b6b', 'border-color': '#111', 'border-style': 'dashed',
    'border-width': 3}},
  {selector: 'node.truncated', style: {'border-color': '#444', 'border-style': 'dotted', 'border-width': 3}},
  {selector: 'node.start', style: {width: 40, height: 40}},
  {selector: 'edge', style: {
    width: 2, 'curve-style': 'bezier', label: 'data(caption)', 'font-size': 9, color: '#333',
    'font-family': 'DejaVu Sans, Arial, sans-serif',
    'text-rotation': 'autorotate', 'text-background-color': '#fff', 'text-background-opacity': 0.85,
    'text-background-padding': 1, 'min-zoomed-font-size': 8,
  }},
  ...Object.entries(EDGE_KINDS).map(([kind, spec]) => ({selector: `edge[kind = "${kind}"]`,
    style: {'line-color': spec.colour, 'line-style': spec.line, 'target-arrow-color': spec.colour}})),
  {selector: 'edge[kind = "RELATED"]', style: {width: 3, 'target-arrow-shape': 'triangle'}},
  {selector: 'edge.previous', style: {'line-style': 'dashed', opacity: 0.7}},
  {selector: 'edge.contained', style: {display: 'none'}},
  {selector: '.onpath', style: {'underlay-color': '#f2c200', 'underlay-opacity': 0.55, 'underlay-padding': 6}},
  {selector: 'edge.onpath', style: {width: 5}},
  {selector: ':selected', style: {'overlay-color': '#000', 'overlay-opacity': 0.18, 'overlay-padding': 6}},
  {selector: 'node.focused', style: {'outline-color': '#000', 'outline-width': 3, 'outline-offset': 3}},
];

export function createGraph(container) {
  return cytoscape({
    container,
    style: STYLE,
    wheelSensitivity: 0.3,
    minZoom: 0.1,
    maxZoom: 4,
    boxSelectionEnabled: true,
    selectionType: 'single',
    textureOnViewport: true,
    hideEdgesOnViewport: false,
    pixelRatio: 1,
  });
}

/** Fit the graph in view, but never blow a small network up past 1.5x (it would look like a mistake). */
export function fitView(cy) {
  if (cy.nodes().empty()) return;
  cy.fit(undefined, 30);
  if (cy.zoom() > 1.5) {
    cy.zoom(1.5);
    cy.center();
  }
}

/**
 * Lay the graph out; `incremental` keeps the nodes already placed near where they are. With `around` (a person's
 * id) and not incremental: the radial placement around that person (a first render), without a force-directed pass.
 */
export function layout(cy, {incremental = false, fit = true, around = null} = {}) {
  if (around && !incremental && cy.getElementById(around).nonempty()) {
    const positions = egoPositions(cy, around);
    return runLayout(cy, {name: 'preset', positions: (node) => positions[node.id()], animate: false}, fit);
  }
  const options = {
    name: 'fcose',
    quality: cy.nodes().length > 400 ? 'draft' : 'default',
    randomize: !incremental,
    animate: false,
    fit,
    padding: 30,
    nodeDimensionsIncludeLabels: true,
    packComponents: true,
    idealEdgeLength: (edge) => (edge.data('kind') === 'MEMBER_OF' ? 40 : 90),
    nodeRepulsion: () => 6500,
    nestingFactor: 0.1,
    gravity: 0.3,
    numIter: cy.nodes().length > 120 ? 1000 : 2500, // big networks settle sooner: first render stays quick
    tile: true,
  };
  return runLayout(cy, options, fit);
}

/** Run a layout; when it stops, fit the view our way (fitView, not the layout's own fit) and resolve. */
function runLayout(cy, options, fit) {
  return new Promise((resolve) => {
    const run = cy.layout({...options, fit: false});
    run.one('layoutstop', () => {
      if (fit) fitView(cy);
      resolve();
    });
    run.run();
  });
}
