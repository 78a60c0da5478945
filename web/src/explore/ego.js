// First placement of a person's network: a radial tree around the person, computed directly (a few
// milliseconds for hundreds of nodes) instead of by a force-directed layout (fCoSE needed most of a second
// for 200 nodes). A network is a breadth-first expansion from one person, so its spanning tree from that
// person is most of its edges: each node's neighbours further out sit on an arc around it, facing away from
// the node it was reached from, with room for their own neighbours; a household box (with its members in a
// small grid inside) is placed as one unit, so households stay together.

const NODE_ROOM = 24; // half the room one drawn node takes, its caption included at the usual zoom
const GAP = 10; // between neighbouring subtrees on an arc
// Between members of a household inside its box: a caption is up to 140 px wide and two or three lines high.
const MEMBER_X = 150;
const MEMBER_Y = 84;
const ARC = 1.6 * Math.PI; // the arc a node's outer neighbours take, leaving room for the edge it was reached by

/**
 * Positions for every node that is not a compound (household boxes follow their members), in a radial tree
 * around `startId`. Nodes not connected to it (other parts of a view) are laid out the same way around their
 * own first node and set in a row to the right.
 */
export function egoPositions(cy, startId) {
  const unitOf = new Map(); // node id -> id of the unit placed as one (a household box with its members)
  const members = new Map(); // unit id -> member node ids (households drawn as boxes)
  for (const node of cy.nodes()) {
    if (node.isParent()) {
      members.set(node.id(), node.children().map((c) => c.id()).sort());
      unitOf.set(node.id(), node.id());
    } else {
      const parent = node.parent();
      unitOf.set(node.id(), parent.nonempty() ? parent.id() : node.id());
    }
  }
  const adjacent = new Map([...new Set(unitOf.values())].map((u) => [u, new Set()]));
  for (const edge of cy.edges()) {
    const a = unitOf.get(edge.source().id());
    const b = unitOf.get(edge.target().id());
    if (a !== b) {
      adjacent.get(a).add(b);
      adjacent.get(b).add(a);
    }
  }
  const grid = (count) => {
    const columns = Math.ceil(Math.sqrt(count));
    return {columns, rows: Math.ceil(count / columns)};
  };
  const room = (unit) => {
    const inside = members.get(unit);
    if (!inside) return NODE_ROOM;
    const {columns, rows} = grid(inside.length);
    return Math.hypot((columns * MEMBER_X) / 2, (rows * MEMBER_Y) / 2) + NODE_ROOM;
  };

  const children = new Map();
  const reached = new Set();
  const roots = [];
  const start = unitOf.get(startId);
  for (const root of [...(start ? [start] : []), ...[...adjacent.keys()].sort()]) {
    if (reached.has(root)) continue;
    roots.push(root);
    reached.add(root);
    const queue = [root];
    while (queue.length) {
      const unit = queue.shift();
      const next = [...adjacent.get(unit)].filter((u) => !reached.has(u)).sort();
      for (const u of next) reached.add(u);
      children.set(unit, next);
      queue.push(...next);
    }
  }

  // Extent of each subtree (how far it reaches from its unit) and the radius its children sit at.
  const extent = new Map();
  const radius = new Map();
  const measure = (unit, arc) => {
    const kids = children.get(unit);
    for (const kid of kids) measure(kid, ARC);
    if (!kids.length) {
      extent.set(unit, room(unit));
      return;
    }
    const widest = Math.max(...kids.map((k) => extent.get(k)));
    const needed = kids.reduce((sum, k) => sum + 2 * extent.get(k) + GAP, 0);
    const r = Math.max(room(unit) + widest + GAP, needed / arc);
    radius.set(unit, r);
    extent.set(unit, r + widest);
  };
  const centre = new Map();
  const place = (unit, x, y, direction, arc) => {
    centre.set(unit, {x, y});
    const kids = children.get(unit);
    if (!kids.length) return;
    const total = kids.reduce((sum, k) => sum + 2 * extent.get(k) + GAP, 0);
    const r = radius.get(unit);
    const spread = arc >= 2 * Math.PI ? arc : Math.min(arc, total / r); // a short arc when few neighbours
    let angle = direction - spread / 2;
    for (const kid of kids) {
      const share = ((2 * extent.get(kid) + GAP) / total) * spread;
      const a = angle + share / 2;
      place(kid, x + r * Math.cos(a), y + r * Math.sin(a), a, ARC);
      angle += share;
    }
  };
  let offset = 0;
  for (const root of roots) {
    measure(root, 2 * Math.PI);
    const reach = extent.get(root);
    place(root, offset + reach, 0, -Math.PI / 2, 2 * Math.PI);
    offset += 2 * reach + 4 * GAP;
  }

  const positions = {};
  for (const [unit, at] of centre) {
    const inside = members.get(unit);
    if (!inside) {
      positions[unit] = at;
      continue;
    }
    const {columns, rows} = grid(inside.length);
    inside.forEach((id, i) => {
      positions[id] = {x: at.x + ((i % columns) - (columns - 1) / 2) * MEMBER_X,
        y: at.y + (Math.floor(i / columns) - (rows - 1) / 2) * MEMBER_Y};
    });
  }
  return positions;
}
