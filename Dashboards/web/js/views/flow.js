// One flow: summary, sequence diagram across services, the steps, a waterfall of every span of
// every trace of the flow (queue and handling time per hop), and the details of a chosen span.
// Huge flows stay fast and small: the page asks the collector for one window of steps, the first
// traces and the flow's outline (its shape, about 16 bytes a step: docs/query-api.md), never for
// the whole flow. The outline finds the next error or compensation and the type a compensation
// undoes; other windows and more trace ids are fetched when asked for. Runs of repeated plain
// steps in a window collapse into one row (a button shows them).

import { h, clear, badge, routeHref } from '../dom.js';
import { getJSON, segment } from '../api.js';
import { parseTime, duration, dateTime, shortID } from '../format.js';
import { sequenceDiagram, sequenceLegend } from '../sequence.js';
import { buildRows, indexSpans, spanKey } from '../spans.js';
import { createWaterfall } from '../waterfall.js';
import { spanDetails } from '../details.js';

const MAX_TRACES = 50;
// A flow may have 100,000 steps: the sequence diagram and the steps table show a window of
// this many, with buttons to page and to jump to the next error or compensation.
const WINDOW = 200;
// Trace ids listed in the summary before "show all", and fetched per click after.
const LISTED_TRACES = 10;
const TRACE_PAGE = 1000;
// Runs of more plain steps of one type than this collapse (their first and last stay).
const COLLAPSE_LONGER_THAN = 3;
// Outline flags (docs/query-api.md): compensation, compensated, troubled delivery, not consumed, error.
const COMPENSATION = 1, COMPENSATED = 2, TROUBLED = 4, UNCONSUMED = 8, ERROR = 16;
const PLAIN_MASK = COMPENSATION | COMPENSATED | TROUBLED | UNCONSUMED;
const NOTABLE_MASK = COMPENSATION | TROUBLED | ERROR;

export function render(view, params, { id }) {
  let stopped = false;
  const controller = new AbortController();
  const started = performance.now();
  clear(view).append(h('h1', null, 'Flow ', h('span', { class: 'mono' }, id)), h('p', { class: 'muted' }, 'Loading…'));
  const page = (query) => getJSON(`flows/${segment(id)}`, query, { signal: controller.signal });

  (async () => {
    let flow;
    try {
      flow = await page({ steps_limit: WINDOW, traces_limit: MAX_TRACES, outline: 'true' });
    } catch (error) {
      if (error.name !== 'AbortError') clear(view).append(h('h1', null, 'Flow ', h('span', { class: 'mono' }, id)), h('p', { class: 'error' }, error.message));
      return;
    }
    if (stopped) return;
    const outline = flow.outline || outlineOf(flow);
    const total = flow.steps_total ?? (flow.steps || []).length;
    const traceTotal = flow.traces_total ?? (flow.trace_ids || []).length;
    const spanArea = h('div', { class: 'span-area' }, h('p', { class: 'muted' }, 'Loading spans…'));
    const detailArea = h('div', { class: 'detail-area' }, h('p', { class: 'muted' }, 'Click a span (or an arrow) to see its attributes and links.'));
    const sequenceArea = h('div', { class: 'sequence-area' });
    const stepsArea = h('div', { class: 'steps-area' });
    const sequenceNav = h('div', { class: 'step-window' });
    const stepsNav = h('div', { class: 'step-window' });
    let expanded = false;
    let shown = { from: 0, steps: flow.steps || [] };
    // The spans' index and waterfall, once the traces are loaded (an arrow clicked before then,
    // or when no span could be loaded, says so instead of failing).
    let index = null;
    let wf = null;
    const draw = () => {
      const { from, steps } = shown;
      const items = expanded ? steps.map((step, k) => ({ step, index: from + k })) : collapseRuns(steps, from, outline);
      const windowFlow = { ...flow, steps: items };
      clear(sequenceArea).append(sequenceDiagram(windowFlow, { onArrow: (step, d) => focusStep(step, d), undoneType: (index) => undoneType(outline, index) }));
      clear(stepsArea).append(stepsTable(windowFlow, outline));
      const collapsed = items.some((item) => item.collapsed);
      for (const nav of [sequenceNav, stepsNav]) clear(nav).append(h('span', null, windowNav(total, from, outline, showWindow, collapsed || expanded ? [expanded, () => { expanded = !expanded; draw(); }] : null)));
    };
    let loading = 0;
    async function showWindow(start) {
      const from = Math.max(0, Math.min(start, Math.max(0, total - WINDOW)));
      const ticket = ++loading;
      let steps = flow.steps || [];
      if (from !== 0) {
        try {
          steps = (await page({ steps_from: from, steps_limit: WINDOW, traces_limit: 0 })).steps || [];
        } catch (error) {
          if (error.name !== 'AbortError') clear(stepsArea).append(h('p', { class: 'error' }, error.message));
          return;
        }
      }
      if (stopped || ticket !== loading) return;
      shown = { from, steps };
      draw();
    }
    draw();
    clear(view).append(
      summary(flow, total, traceTotal, page),
      h('section', { class: 'card' }, h('h2', null, 'Sequence'), sequenceLegend(), sequenceNav, sequenceArea),
      h('section', { class: 'card' }, h('h2', null, 'Steps'), stepsNav, stepsArea),
      h('section', { class: 'card' }, h('h2', null, 'Spans'), h('p', { class: 'muted' }, 'Hatched: time in the queue between publish and processing. Solid: handling.'), spanArea, detailArea));
    view.dataset.loaded = 'true';
    view.dataset.stepCount = String(total);
    // Time from the route's start to the flow page being in the DOM, then to its first paint
    // (the second animation frame after it: the first has been painted), and that moment since
    // the navigation started (`paintAt`), for the browser benchmark.
    view.dataset.renderMs = String(performance.now() - started);
    requestAnimationFrame(() => requestAnimationFrame(() => {
      view.dataset.paintAt = String(performance.now());
      view.dataset.paintMs = String(performance.now() - started);
    }));

    const traces = (flow.trace_ids || []).slice(0, MAX_TRACES);
    const results = await Promise.allSettled(traces.map((t) => getJSON(`traces/${segment(t)}`, {}, { signal: controller.signal })));
    if (stopped) return;
    const spans = [];
    for (const r of results) if (r.status === 'fulfilled') spans.push(...(r.value.spans || []));
    if (!spans.length) { clear(spanArea).append(h('p', { class: 'muted' }, 'No spans could be loaded.')); return; }
    index = indexSpans(spans);
    const rows = buildRows(spans, index);
    wf = createWaterfall(rows, { onSelect: (row) => clear(detailArea).append(spanDetails(row.span, index)) });
    clear(spanArea).append(wf.element);
    if (traceTotal > MAX_TRACES) spanArea.append(h('p', { class: 'muted' }, `Showing the first ${MAX_TRACES} of ${traceTotal.toLocaleString('en')} traces.`));

    function focusStep(step, delivery) {
      if (!wf) {
        clear(detailArea).append(h('p', { class: 'muted' }, 'The spans are not loaded (yet): nothing to show for this arrow.'));
        return;
      }
      // The consumer span of the delivery if we can find it, else the producer span.
      let key = step.trace_id && step.span_id ? spanKey(step.trace_id, step.span_id) : null;
      if (delivery) {
        const consumers = index.linkedFrom.get(key) || [];
        const match = consumers.find((c) => c.attributes && c.attributes['messaging.consumer.group.name'] === delivery.consumer);
        if (match) key = spanKey(match.trace_id, match.span_id);
      }
      const span = key && index.byKey.get(key);
      if (!span) return;
      wf.scrollTo(key);
      clear(detailArea).append(spanDetails(span, index));
    }
  })();
  return () => { stopped = true; controller.abort(); };
}

// The outline of a whole flow (a collector that answers without one sent every step).
function outlineOf(flow) {
  const types = [];
  const steps = [];
  const first = new Map();
  (flow.steps || []).forEach((step, i) => { if (!first.has(step.message_id)) first.set(step.message_id, i); });
  for (const step of flow.steps || []) {
    if (!types.includes(step.type)) types.push(step.type);
    const deliveries = step.deliveries || [];
    let flags = 0;
    if (step.compensation) flags |= COMPENSATION;
    if (step.compensated_by) flags |= COMPENSATED;
    if (!deliveries.length) flags |= UNCONSUMED;
    for (const d of deliveries) {
      if (d.outcome !== 'handled' || d.failed_attempts > 0) flags |= TROUBLED;
      if (d.error) flags |= ERROR;
    }
    steps.push([types.indexOf(step.type), first.get(step.causation_id) ?? -1, flags, first.get(step.compensates) ?? -1]);
  }
  return { types, steps };
}

// The type of the step that step `index` compensates, if it was seen.
function undoneType(outline, index) {
  const entry = outline.steps[index];
  return entry && entry[3] >= 0 ? outline.types[outline.steps[entry[3]][0]] : null;
}

// The window's steps as rows: a run of more than COLLAPSE_LONGER_THAN consecutive plain steps
// of one type from one source keeps its first and last step around one collapsed row.
export function collapseRuns(steps, from, outline) {
  const items = [];
  const plain = (k) => { const entry = outline.steps[from + k]; return entry && (entry[2] & PLAIN_MASK) === 0; };
  let k = 0;
  while (k < steps.length) {
    let end = k;
    if (plain(k)) while (end + 1 < steps.length && plain(end + 1) && steps[end + 1].type === steps[k].type && steps[end + 1].source === steps[k].source) end++;
    if (end - k + 1 > COLLAPSE_LONGER_THAN) {
      items.push({ step: steps[k], index: from + k });
      items.push({ step: steps[k + 1], index: from + k + 1, collapsed: end - k - 1 });
      items.push({ step: steps[end], index: from + end });
    } else {
      for (let j = k; j <= end; j++) items.push({ step: steps[j], index: from + j });
    }
    k = end + 1;
  }
  return items;
}

function summary(flow, total, traceTotal, page) {
  const started = parseTime(flow.started_at);
  const ended = parseTime(flow.ended_at);
  const facts = [
    ['Status', badge(flow.status)], ['Outcome', flow.outcome || '—'], ['Started', dateTime(started)], ['Duration', duration(ended - started)],
    ['Steps', total.toLocaleString('en')],
  ];
  if (flow.waiting_for) facts.push(['Waiting for', flow.waiting_for]);
  if (flow.gaps) facts.push(['Missing spans', `${flow.gaps} step(s) reference messages whose spans never arrived`]);
  facts.push(['Traces', traceList(flow.trace_ids || [], traceTotal, page)]);
  return h('section', { class: 'card flow-summary', dataset: { status: flow.status } },
    h('div', { class: 'view-head' }, h('h1', null, 'Flow ', h('span', { class: 'mono' }, flow.correlation_id)),
      h('a', { href: `#/map?flow=${encodeURIComponent(flow.correlation_id)}` }, 'Show on the process map')),
    h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', null, k), h('dd', null, v)])));
}

// The trace ids: all when few, else the count and the first few; the rest on demand, fetched
// a thousand at a time.
function traceList(ids, total, page) {
  const link = (t) => [h('a', { class: 'mono', href: routeHref('trace', t) }, shortID(t, 12)), ' '];
  if (total <= LISTED_TRACES && ids.length >= total) return h('span', null, ids.map(link));
  const rest = h('span', null);
  const more = h('details', { class: 'trace-list', dataset: { total: String(total) } }, h('summary', null, `${total.toLocaleString('en')} traces (show all)`), rest);
  let next = LISTED_TRACES;
  const showMore = async () => {
    const button = rest.querySelector('button.more-traces');
    if (button) button.remove();
    let batch = ids.slice(next, next + TRACE_PAGE);
    if (batch.length < Math.min(TRACE_PAGE, total - next)) {
      try {
        batch = (await page({ steps_limit: 0, traces_from: next, traces_limit: TRACE_PAGE })).trace_ids || [];
      } catch (error) {
        rest.append(h('span', { class: 'error' }, error.message));
        return;
      }
    }
    rest.append(...batch.flatMap(link));
    next += batch.length;
    if (batch.length && next < total) {
      const b = h('button', { type: 'button', class: 'more-traces' }, `${Math.min(TRACE_PAGE, total - next).toLocaleString('en')} more of ${(total - next).toLocaleString('en')}`);
      b.addEventListener('click', showMore);
      rest.append(b);
    }
  };
  more.addEventListener('toggle', () => { if (more.open && !rest.childNodes.length) showMore(); });
  return h('span', null, ids.slice(0, LISTED_TRACES).map(link), more);
}

// Paging of a long flow's steps: where the window is, previous/next, a jump to the next error
// (a failed, retried or dead-lettered delivery, or one with an error) or compensation after
// the window, found in the outline, and the switch for collapsed runs.
function windowNav(total, from, outline, show, collapse) {
  const parts = [];
  if (total > WINDOW) {
    const button = (label, start, enabled = true) => {
      const b = h('button', { type: 'button', class: 'step-window-button' }, label);
      if (enabled) b.addEventListener('click', () => show(start)); else b.disabled = true;
      return b;
    };
    const after = from + WINDOW;
    let next = -1;
    for (let i = after; i < outline.steps.length; i++) if (outline.steps[i][2] & NOTABLE_MASK) { next = i; break; }
    parts.push(
      h('span', { class: 'muted' }, `Steps ${(from + 1).toLocaleString('en')}–${Math.min(after, total).toLocaleString('en')} of ${total.toLocaleString('en')} `),
      button('First', 0, from > 0), ' ', button('Previous', from - WINDOW, from > 0), ' ',
      button('Next', after, after < total), ' ', button('Last', total - WINDOW, after < total), ' ',
      button('Next error or compensation', next, next >= 0), ' ');
  }
  if (collapse) {
    const [expanded, toggle] = collapse;
    const b = h('button', { type: 'button', class: 'collapse-toggle' }, expanded ? 'Collapse repeated steps' : 'Show repeated steps');
    b.addEventListener('click', toggle);
    parts.push(b);
  }
  return parts;
}

function stepsTable(flow, outline) {
  const t0 = parseTime(flow.started_at);
  return h('table', { class: 'steps' },
    h('thead', null, h('tr', null, ['+time', 'Message', 'From', 'To', 'Outcome', 'Attempts', 'Notes'].map((t) => h('th', null, t)))),
    h('tbody', null, (flow.steps || []).map(({ step, index, collapsed }) => {
      if (collapsed) {
        return h('tr', { class: 'step collapsed', dataset: { type: step.type, count: String(collapsed) } },
          h('td', { class: 'muted', colspan: '7' }, `… ${collapsed.toLocaleString('en')} more ${step.type} from ${step.source}`));
      }
      const deliveries = step.deliveries || [];
      const undone = step.compensates ? undoneType(outline, index) : null;
      const notes = [];
      if (step.compensates) notes.push(h('span', { class: 'tag compensation' }, 'compensation'), ` undoes ${undone || step.compensates}`);
      for (const d of deliveries) {
        if (d.outcome === 'dead_lettered') notes.push(h('span', { class: 'tag deadletter' }, 'dead letter'));
        if (d.attempts > 1) notes.push(h('span', { class: 'tag retry' }, `${d.attempts} attempts`));
        if (d.error) notes.push(h('span', { class: 'tag failed' }, 'error'), ` ${d.error}`);
        if (d.outcome === 'duplicate_ignored') notes.push(h('span', { class: 'tag duplicate' }, 'duplicate'));
      }
      if (!deliveries.length) notes.push(h('span', { class: 'tag pending' }, flow.waiting_for === step.type ? 'waiting' : 'not consumed'));
      return h('tr', { class: `step ${step.compensates ? 'compensation' : ''}`, dataset: { type: step.type, compensates: step.compensates || '', index: String(index) } },
        h('td', { class: 'num' }, `+${duration(parseTime(step.published_at) - t0)}`),
        h('td', null, step.trace_id && step.span_id ? h('a', { href: `${routeHref('trace', step.trace_id)}?span=${encodeURIComponent(step.span_id)}` }, step.type) : step.type),
        h('td', null, step.source),
        h('td', null, deliveries.map((d) => d.service || d.consumer).join(', ') || '—'),
        h('td', null, deliveries.map((d) => d.outcome).join(', ') || '—'),
        h('td', { class: 'num' }, deliveries.map((d) => String(d.attempts)).join(', ')),
        h('td', null, notes));
    })));
}
