// The sequence diagram of a flow, drawn as SVG: one lifeline per service, one arrow per
// delivery of a message, styled by what happened (compensation, retry, dead letter, failure,
// duplicate, still pending).

import { h, s } from './dom.js';
import { parseTime, duration } from './format.js';

const COL = 170;
const ROW = 34;
const TOP = 56;
const LEFT = 70;

/** The kinds of arrows, in the order the legend lists them. */
export const ARROW_KINDS = [
  ['message', 'message handled'],
  ['compensation', 'compensation (undoes an earlier step)'],
  ['retry', 'handled after retries'],
  ['failed', 'failed attempt / error'],
  ['deadletter', 'dead-lettered'],
  ['duplicate', 'duplicate ignored'],
  ['pending', 'not consumed (yet)'],
];

/** The primary kind and the extra marks of one delivery of a step. */
export function arrowKind(step, delivery) {
  const marks = [];
  if (step.compensates) marks.push('compensation');
  if (!delivery) return { kind: 'pending', marks: [...marks, 'pending'] };
  if (delivery.attempts > 1 || delivery.outcome === 'retry') marks.push('retry');
  if (delivery.outcome === 'dead_lettered') marks.push('deadletter');
  if (delivery.error || delivery.failed_attempts > 0) marks.push('failed');
  if (delivery.outcome === 'duplicate_ignored') marks.push('duplicate');
  const order = ['deadletter', 'compensation', 'failed', 'retry', 'duplicate'];
  let kind = order.find((k) => marks.includes(k) && (k !== 'failed' || delivery.outcome !== 'handled')) || 'message';
  if (kind === 'message' && marks.includes('failed')) kind = 'retry';
  return { kind, marks };
}

/** The participants (services) in order of first appearance. */
export function participants(flow) {
  const seen = [];
  const add = (name) => { if (name && !seen.includes(name)) seen.push(name); };
  for (const step of flow.steps || []) {
    add(step.source);
    for (const d of step.deliveries || []) add(d.service || d.consumer);
  }
  return seen;
}

/**
 * Builds the diagram; `onArrow(step, delivery)` is called when an arrow is clicked. `flow.steps`
 * holds steps, or rows `{ step, index, collapsed }` (a row with `collapsed: n` is drawn as one
 * line standing for n repeated steps like `step`); `undoneType(index)` names the type a
 * compensation at that index undoes when the step it undoes is outside the rows.
 */
export function sequenceDiagram(flow, { onArrow, undoneType } = {}) {
  const rows = (flow.steps || []).map((row) => (row.step ? row : { step: row, index: -1 }));
  const services = participants({ steps: rows.map((row) => row.step) });
  const column = new Map(services.map((name, i) => [name, LEFT + i * COL + COL / 2]));
  const t0 = parseTime(flow.started_at);
  const byID = new Map(rows.map(({ step }) => [step.message_id, step]));
  const arrows = [];
  for (const { step, index, collapsed } of rows) {
    if (collapsed) { arrows.push({ step, index, collapsed }); continue; }
    const deliveries = step.deliveries && step.deliveries.length ? step.deliveries : [null];
    for (const d of deliveries) arrows.push({ step, index, delivery: d });
  }
  const width = LEFT + services.length * COL + 20;
  const height = TOP + arrows.length * ROW + 30;
  const svg = s('svg', { class: 'sequence', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `Sequence diagram of flow ${flow.correlation_id}` });
  svg.appendChild(markers());

  services.forEach((name) => {
    const x = column.get(name);
    svg.appendChild(s('line', { class: 'lifeline', x1: x, x2: x, y1: 40, y2: height - 10 }));
    svg.appendChild(s('rect', { class: 'participant', x: x - COL / 2 + 10, y: 6, width: COL - 20, height: 30, rx: 5 }));
    svg.appendChild(s('text', { class: 'participant-label', x, y: 26, 'text-anchor': 'middle' }, name));
  });

  arrows.forEach(({ step, index, delivery, collapsed }, i) => {
    const y = TOP + i * ROW + 14;
    const from = column.get(step.source) ?? LEFT;
    if (collapsed) {
      const g = s('g', { class: 'arrow collapsed', dataset: { kind: 'collapsed', type: step.type, count: collapsed } });
      g.appendChild(s('text', { class: 'msg-label collapsed-label', x: from + 8, y: y + 4 }, `⋮ ${collapsed.toLocaleString('en')} more ${step.type}`));
      svg.appendChild(g);
      return;
    }
    const target = delivery ? (delivery.service || delivery.consumer) : null;
    const { kind, marks } = arrowKind(step, delivery);
    const g = s('g', { class: `arrow ${kind} ${marks.join(' ')}`, dataset: { kind, type: step.type, messageId: step.message_id }, tabindex: '0' });
    const published = parseTime(step.published_at);
    g.appendChild(s('text', { class: 'offset', x: 6, y: y + 4 }, `+${duration(published - t0)}`));
    let to;
    if (target === null) {
      to = from + (from + COL / 2 < width ? COL / 2 : -COL / 2);
      g.appendChild(s('line', { class: 'shaft', x1: from, x2: to, y1: y, y2: y }));
      g.appendChild(s('circle', { class: 'pending-end', cx: to, cy: y, r: 4 }));
    } else {
      to = column.get(target);
      if (to === from) {
        g.appendChild(s('path', { class: 'shaft', d: `M${from} ${y - 6} h30 v12 h-26`, 'marker-end': `url(#seq-end-${kind})`, fill: 'none' }));
      } else {
        const end = to > from ? to - 3 : to + 3;
        g.appendChild(s('line', { class: 'shaft', x1: from, x2: end, y1: y, y2: y, 'marker-end': `url(#seq-end-${kind})` }));
      }
    }
    let label = step.type;
    if (step.compensates) {
      const undone = byID.get(step.compensates)?.type ?? (undoneType && index >= 0 ? undoneType(index) : null);
      label = `↺ ${step.type}` + (undone ? ` (undoes ${undone})` : '');
    }
    if (delivery && delivery.attempts > 1) label += ` ↻×${delivery.attempts}`;
    if (delivery && delivery.outcome === 'dead_lettered') label += ' ✕ dead letter';
    if (delivery && delivery.outcome === 'duplicate_ignored') label += ' (duplicate)';
    if (!delivery) label += flow.waiting_for === step.type ? ' (waiting)' : ' (no consumer)';
    const mid = to === from ? from + 36 : (from + to) / 2;
    g.appendChild(s('text', { class: 'msg-label', x: mid, y: y - 5, 'text-anchor': to === from ? 'start' : 'middle' }, label));
    const tip = [`${step.type}: ${step.source} → ${target ?? '—'}`];
    if (delivery) tip.push(`outcome ${delivery.outcome}, ${delivery.attempts} attempt(s)`);
    if (delivery && delivery.error) tip.push(`error: ${delivery.error}`);
    g.appendChild(s('title', null, tip.join('\n')));
    if (onArrow) g.addEventListener('click', () => onArrow(step, delivery));
    svg.appendChild(g);
  });
  return h('div', { class: 'sequence-wrap' }, svg);
}

function markers() {
  const defs = s('defs');
  for (const [kind] of ARROW_KINDS) {
    const marker = s('marker', { id: `seq-end-${kind}`, class: `marker ${kind}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 9, markerHeight: 9, markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse' });
    marker.appendChild(kind === 'deadletter'
      ? s('path', { d: 'M1 1 L9 9 M9 1 L1 9', class: 'marker-x' })
      : s('path', { d: 'M0 0 L10 5 L0 10 z' }));
    defs.appendChild(marker);
  }
  return defs;
}

/** The legend of arrow styles. */
export function sequenceLegend() {
  return h('ul', { class: 'legend', 'aria-label': 'Legend' }, ARROW_KINDS.map(([kind, text]) => {
    const sample = s('svg', { width: 46, height: 12, class: `legend-sample arrow ${kind}` },
      s('line', { class: 'shaft', x1: 2, x2: 40, y1: 6, y2: 6 }));
    return h('li', { dataset: { kind } }, sample, ' ', text);
  }));
}
