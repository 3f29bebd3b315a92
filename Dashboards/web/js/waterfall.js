// A virtualised span waterfall: only the rows in view (plus a margin) exist in the DOM, so a
// trace of 10,000+ spans renders in milliseconds and scrolls smoothly.

import { h, clear } from './dom.js';
import { bounds } from './spans.js';
import { duration } from './format.js';

const ROW_HEIGHT = 24;
const OVERSCAN = 20;
const MAX_VIEWPORT = 560;
const INDENT = 12;
const MAX_INDENT_LEVELS = 24;

/**
 * Creates the waterfall for `rows` (see buildRows). `onSelect(row)` is called on click.
 * Returns `{ element, select(key), scrollTo(key) }`.
 */
export function createWaterfall(rows, { onSelect } = {}) {
  const { t0, t1 } = bounds(rows);
  const span = t1 - t0;
  const indexByKey = new Map(rows.map((row, i) => [row.key, i]));
  let selectedKey = null;

  const spacer = h('div', { class: 'wf-spacer' });
  spacer.style.height = `${rows.length * ROW_HEIGHT}px`;
  const viewport = h('div', { class: 'wf-viewport', tabindex: '0', role: 'list', 'aria-label': 'Spans' }, spacer);
  viewport.style.height = `${Math.min(MAX_VIEWPORT, rows.length * ROW_HEIGHT + 2)}px`;
  const axis = h('div', { class: 'wf-axis' });
  for (let i = 0; i <= 4; i++) {
    const tick = h('span', { class: 'wf-tick' }, duration((span * i) / 4));
    tick.style.left = `${i * 25}%`;
    axis.appendChild(tick);
  }
  const header = h('div', { class: 'wf-row wf-header' },
    h('div', { class: 'wf-name' }, 'Span'), h('div', { class: 'wf-service' }, 'Service'),
    h('div', { class: 'wf-num' }, 'Queue'), h('div', { class: 'wf-num' }, 'Handling'),
    h('div', { class: 'wf-track' }, axis));
  const element = h('div', { class: 'waterfall', dataset: { totalRows: rows.length } }, header, viewport);

  const pct = (t) => `${((t - t0) / span) * 100}%`;

  function rowElement(row, index) {
    const s = row.span;
    const failed = s.status && s.status.code === 'error';
    const outcome = s.attributes && s.attributes['choreo.delivery.outcome'];
    const classes = ['wf-row', `kind-${s.kind || 'unspecified'}`];
    if (failed) classes.push('error');
    if (outcome === 'retry') classes.push('retry');
    if (outcome === 'dead_lettered') classes.push('deadletter');
    if (s.attributes && s.attributes['choreo.compensates']) classes.push('compensation');
    if (row.key === selectedKey) classes.push('selected');
    const name = h('div', { class: 'wf-name', title: s.name }, h('span', { class: 'wf-kind' }, kindGlyph(s.kind)), h('span', { class: 'wf-label' }, s.name));
    name.style.paddingLeft = `${4 + Math.min(row.depth, MAX_INDENT_LEVELS) * INDENT}px`;
    const track = h('div', { class: 'wf-track' });
    if (row.queueMs !== null && row.queueMs > 0) {
      const queue = h('div', { class: 'wf-queuebar', title: `queued ${duration(row.queueMs)}` });
      queue.style.left = pct(row.start - row.queueMs);
      queue.style.width = `${(row.queueMs / span) * 100}%`;
      track.appendChild(queue);
    }
    const bar = h('div', { class: 'wf-bar', title: `${s.name}: ${duration(row.handlingMs)}` });
    bar.style.left = pct(row.start);
    bar.style.width = `max(2px, ${(row.handlingMs / span) * 100}%)`;
    track.appendChild(bar);
    const el = h('div', { class: classes.join(' '), role: 'listitem', dataset: { index, spanId: s.span_id, traceId: s.trace_id } },
      name, h('div', { class: 'wf-service' }, s.service || ''),
      h('div', { class: 'wf-num' }, row.queueMs === null ? '' : duration(row.queueMs)),
      h('div', { class: 'wf-num' }, duration(row.handlingMs)), track);
    el.style.top = `${index * ROW_HEIGHT}px`;
    return el;
  }

  let renderedFirst = -1;
  let renderedLast = -1;
  function render(force = false) {
    const height = viewport.clientHeight || 600;
    const first = Math.max(0, Math.floor(viewport.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(rows.length, Math.ceil((viewport.scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
    if (!force && first === renderedFirst && last === renderedLast) return;
    renderedFirst = first;
    renderedLast = last;
    const fragment = document.createDocumentFragment();
    for (let i = first; i < last; i++) fragment.appendChild(rowElement(rows[i], i));
    clear(spacer).appendChild(fragment);
    element.dataset.renderedRows = String(last - first);
  }

  let pending = false;
  viewport.addEventListener('scroll', () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; render(); });
  });
  viewport.addEventListener('click', (event) => {
    const rowEl = event.target.closest('.wf-row');
    if (!rowEl || rowEl.dataset.index === undefined) return;
    const row = rows[Number(rowEl.dataset.index)];
    select(row.key);
    if (onSelect) onSelect(row);
  });
  if (typeof ResizeObserver === 'function') new ResizeObserver(() => render()).observe(viewport);

  function select(key) {
    selectedKey = key;
    render(true);
  }
  function scrollTo(key) {
    const index = indexByKey.get(key);
    if (index === undefined) return false;
    selectedKey = key;
    const height = viewport.clientHeight || 600;
    viewport.scrollTop = Math.max(0, index * ROW_HEIGHT - height / 3);
    render(true);
    return true;
  }
  render(true);
  return { element, select, scrollTo, rows };
}

function kindGlyph(kind) {
  switch (kind) {
    case 'producer': return '↗';
    case 'consumer': return '↘';
    case 'server': return '⇤';
    case 'client': return '⇥';
    default: return '•';
  }
}
