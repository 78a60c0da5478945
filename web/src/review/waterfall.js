// The match-weight waterfall: how each comparison moved the score, from the prior to the total, in bits.
// Drawn as SVG elements (no inline styles or scripts), with a text table beside it for screen readers.
import {h} from '../common/dom.js';

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}, text = null) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== null) el.textContent = text;
  return el;
}

const short = (text) => (text.length > 36 ? `${text.slice(0, 35)}…` : text);
const fmt = (w) => `${w >= 0 ? '+' : '−'}${Math.abs(w).toFixed(1)}`;

/** Steps from the prior through each comparison to the total; `total` null when the API withheld it. */
export function steps(explanation, total) {
  const sum = explanation.reduce((acc, x) => acc + x.weight, 0);
  const prior = total === null || total === undefined ? 0 : total - sum;
  const rows = [];
  let running = prior;
  if (total !== null && total !== undefined) rows.push({label: 'prior (before any comparison)', from: 0, to: prior, kind: 'prior'});
  for (const x of explanation) {
    rows.push({label: short(`${x.comparison.replace(/_/g, ' ')}: ${x.level.replace(/_/g, ' ')}`), from: running, to: running + x.weight,
      kind: x.weight >= 0 ? 'up' : 'down', weight: x.weight});
    running += x.weight;
  }
  rows.push({label: total === null || total === undefined ? 'sum of the comparisons you may see' : 'match weight', from: 0,
    to: running, kind: 'total'});
  return rows;
}

export function waterfall(explanation, total) {
  const rows = steps(explanation, total);
  const labelWidth = 270;
  const width = 600;
  const rowHeight = 22;
  const height = rows.length * rowHeight + 30;
  const values = rows.flatMap((r) => [r.from, r.to]).concat(0);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const span = hi - lo || 1;
  const x = (v) => labelWidth + ((v - lo) / span) * (width - labelWidth - 60);
  const chart = svg('svg', {viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': `Match weight waterfall: ${rows.length} steps to a total of ${fmt(rows[rows.length - 1].to)} bits`});
  rows.forEach((row, i) => {
    const y = 8 + i * rowHeight;
    const left = Math.min(x(row.from), x(row.to));
    const barWidth = Math.max(2, Math.abs(x(row.to) - x(row.from)));
    chart.append(svg('text', {x: labelWidth - 6, y: y + 14, 'text-anchor': 'end'}, row.label));
    chart.append(svg('rect', {x: left, y: y + 3, width: barWidth, height: rowHeight - 8, class: `bar-${row.kind}`}));
    const value = row.kind === 'up' || row.kind === 'down' ? fmt(row.weight) : fmt(row.to);
    chart.append(svg('text', {x: Math.max(x(row.from), x(row.to)) + 4, y: y + 14}, value));
  });
  chart.append(svg('line', {x1: x(0), x2: x(0), y1: 2, y2: height - 20, class: 'axis'}));
  chart.append(svg('text', {x: x(0), y: height - 6, 'text-anchor': 'middle'}, '0 bits'));
  const table = h('table', {class: 'compact visually-hidden'}, h('caption', {}, 'Match weight by comparison'),
    h('tbody', {}, rows.map((row) => h('tr', {}, h('th', {scope: 'row'}, row.label),
      h('td', {}, row.kind === 'up' || row.kind === 'down' ? `${fmt(row.weight)} bits` : `${fmt(row.to)} bits`)))));
  return h('figure', {class: 'waterfall'}, h('figcaption', {}, h('strong', {}, 'Why the model scored it so'),
    ' — green pushed towards the same person, red away, in bits (log₂ odds).'), chart, table);
}
