// One flow: summary, sequence diagram across services, the steps, a waterfall of every span of
// every trace of the flow (queue and handling time per hop), and the details of a chosen span.
// Huge flows stay fast: the diagram and the table show a window of steps, the summary counts
// traces, and the waterfall loads the first traces only.

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
// Trace ids listed in the summary before "show all".
const LISTED_TRACES = 10;

export function render(view, params, { id }) {
  let stopped = false;
  const controller = new AbortController();
  clear(view).append(h('h1', null, 'Flow ', h('span', { class: 'mono' }, id)), h('p', { class: 'muted' }, 'Loading…'));

  (async () => {
    let flow;
    try {
      flow = await getJSON(`flows/${segment(id)}`, {}, { signal: controller.signal });
    } catch (error) {
      if (error.name !== 'AbortError') clear(view).append(h('h1', null, 'Flow ', h('span', { class: 'mono' }, id)), h('p', { class: 'error' }, error.message));
      return;
    }
    if (stopped) return;
    const spanArea = h('div', { class: 'span-area' }, h('p', { class: 'muted' }, 'Loading spans…'));
    const detailArea = h('div', { class: 'detail-area' }, h('p', { class: 'muted' }, 'Click a span (or an arrow) to see its attributes and links.'));
    const sequenceArea = h('div', { class: 'sequence-area' });
    const stepsArea = h('div', { class: 'steps-area' });
    const sequenceNav = h('div', { class: 'step-window' });
    const stepsNav = h('div', { class: 'step-window' });
    const allSteps = flow.steps || [];
    const showWindow = (start) => {
      const from = Math.max(0, Math.min(start, Math.max(0, allSteps.length - WINDOW)));
      const shown = { ...flow, steps: allSteps.slice(from, from + WINDOW) };
      clear(sequenceArea).append(sequenceDiagram(shown, { onArrow: (step, d) => focusStep(step, d) }));
      clear(stepsArea).append(stepsTable(shown, flow));
      for (const nav of [sequenceNav, stepsNav]) clear(nav).append(h('span', null, windowNav(allSteps, from, showWindow)));
    };
    showWindow(0);
    clear(view).append(
      summary(flow),
      h('section', { class: 'card' }, h('h2', null, 'Sequence'), sequenceLegend(), sequenceNav, sequenceArea),
      h('section', { class: 'card' }, h('h2', null, 'Steps'), stepsNav, stepsArea),
      h('section', { class: 'card' }, h('h2', null, 'Spans'), h('p', { class: 'muted' }, 'Hatched: time in the queue between publish and processing. Solid: handling.'), spanArea, detailArea));
    view.dataset.loaded = 'true';

    const traces = (flow.trace_ids || []).slice(0, MAX_TRACES);
    const results = await Promise.allSettled(traces.map((t) => getJSON(`traces/${segment(t)}`, {}, { signal: controller.signal })));
    if (stopped) return;
    const spans = [];
    for (const r of results) if (r.status === 'fulfilled') spans.push(...(r.value.spans || []));
    if (!spans.length) { clear(spanArea).append(h('p', { class: 'muted' }, 'No spans could be loaded.')); return; }
    const index = indexSpans(spans);
    const rows = buildRows(spans, index);
    const wf = createWaterfall(rows, { onSelect: (row) => clear(detailArea).append(spanDetails(row.span, index)) });
    clear(spanArea).append(wf.element);
    if ((flow.trace_ids || []).length > MAX_TRACES) spanArea.append(h('p', { class: 'muted' }, `Showing the first ${MAX_TRACES} of ${flow.trace_ids.length} traces.`));

    function focusStep(step, delivery) {
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

function summary(flow) {
  const started = parseTime(flow.started_at);
  const ended = parseTime(flow.ended_at);
  const facts = [
    ['Status', badge(flow.status)], ['Outcome', flow.outcome || '—'], ['Started', dateTime(started)], ['Duration', duration(ended - started)],
    ['Steps', String(flow.steps_total ?? (flow.steps || []).length)],
  ];
  if (flow.waiting_for) facts.push(['Waiting for', flow.waiting_for]);
  if (flow.gaps) facts.push(['Missing spans', `${flow.gaps} step(s) reference messages whose spans never arrived`]);
  facts.push(['Traces', traceList(flow.trace_ids || [])]);
  return h('section', { class: 'card flow-summary', dataset: { status: flow.status } },
    h('div', { class: 'view-head' }, h('h1', null, 'Flow ', h('span', { class: 'mono' }, flow.correlation_id)),
      h('a', { href: `#/map?flow=${encodeURIComponent(flow.correlation_id)}` }, 'Show on the process map')),
    h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', null, k), h('dd', null, v)])));
}

// The trace ids: all when few, else the count and the first few, the rest on demand.
function traceList(ids) {
  const link = (t) => [h('a', { class: 'mono', href: routeHref('trace', t) }, shortID(t, 12)), ' '];
  if (ids.length <= LISTED_TRACES) return h('span', null, ids.map(link));
  const rest = h('span', null);
  const more = h('details', { class: 'trace-list' }, h('summary', null, `${ids.length.toLocaleString('en')} traces (show all)`), rest);
  more.addEventListener('toggle', () => { if (more.open && !rest.childNodes.length) rest.append(...ids.flatMap(link)); });
  return h('span', null, ids.slice(0, LISTED_TRACES).map(link), more);
}

// Paging of a long flow's steps: where the window is, previous/next, and jumps to the next
// error (a failed or dead-lettered delivery) or compensation after the window.
function windowNav(steps, from, show) {
  if (steps.length <= WINDOW) return [];
  const button = (label, start, enabled = true) => {
    const b = h('button', { type: 'button', class: 'step-window-button' }, label);
    if (enabled) b.addEventListener('click', () => show(start)); else b.disabled = true;
    return b;
  };
  const notable = (step) => step.compensates || (step.deliveries || []).some((d) => d.outcome === 'dead_lettered' || d.failed_attempts > 0 || d.error);
  const after = from + WINDOW;
  let next = -1;
  for (let i = after; i < steps.length; i++) if (notable(steps[i])) { next = i; break; }
  return [
    h('span', { class: 'muted' }, `Steps ${(from + 1).toLocaleString('en')}–${Math.min(after, steps.length).toLocaleString('en')} of ${steps.length.toLocaleString('en')} `),
    button('First', 0, from > 0), ' ', button('Previous', from - WINDOW, from > 0), ' ',
    button('Next', after, after < steps.length), ' ', button('Last', steps.length - WINDOW, after < steps.length), ' ',
    button('Next error or compensation', next, next >= 0),
  ];
}

function stepsTable(flow, whole = flow) {
  const t0 = parseTime(flow.started_at);
  const byID = new Map((whole.steps || []).map((step) => [step.message_id, step]));
  return h('table', { class: 'steps' },
    h('thead', null, h('tr', null, ['+time', 'Message', 'From', 'To', 'Outcome', 'Attempts', 'Notes'].map((t) => h('th', null, t)))),
    h('tbody', null, (flow.steps || []).map((step) => {
      const deliveries = step.deliveries || [];
      const undone = step.compensates ? byID.get(step.compensates) : null;
      const notes = [];
      if (step.compensates) notes.push(h('span', { class: 'tag compensation' }, 'compensation'), ` undoes ${undone ? undone.type : step.compensates}`);
      for (const d of deliveries) {
        if (d.outcome === 'dead_lettered') notes.push(h('span', { class: 'tag deadletter' }, 'dead letter'));
        if (d.attempts > 1) notes.push(h('span', { class: 'tag retry' }, `${d.attempts} attempts`));
        if (d.error) notes.push(h('span', { class: 'tag failed' }, 'error'), ` ${d.error}`);
        if (d.outcome === 'duplicate_ignored') notes.push(h('span', { class: 'tag duplicate' }, 'duplicate'));
      }
      if (!deliveries.length) notes.push(h('span', { class: 'tag pending' }, flow.waiting_for === step.type ? 'waiting' : 'not consumed'));
      return h('tr', { class: `step ${step.compensates ? 'compensation' : ''}`, dataset: { type: step.type, compensates: step.compensates || '' } },
        h('td', { class: 'num' }, `+${duration(parseTime(step.published_at) - t0)}`),
        h('td', null, step.trace_id && step.span_id ? h('a', { href: `${routeHref('trace', step.trace_id)}?span=${encodeURIComponent(step.span_id)}` }, step.type) : step.type),
        h('td', null, step.source),
        h('td', null, deliveries.map((d) => d.service || d.consumer).join(', ') || '—'),
        h('td', null, deliveries.map((d) => d.outcome).join(', ') || '—'),
        h('td', { class: 'num' }, deliveries.map((d) => String(d.attempts)).join(', ')),
        h('td', null, notes));
    })));
}
