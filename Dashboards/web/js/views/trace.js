// One trace: its span tree as a virtualised waterfall, and the details of a chosen span with
// links both ways, including consumers in other traces of the same flow (found on demand).

import { h, clear, routeHref } from '../dom.js';
import { getJSON, segment } from '../api.js';
import { duration, dateTime } from '../format.js';
import { buildRows, indexSpans, bounds, spanKey } from '../spans.js';
import { createWaterfall } from '../waterfall.js';
import { spanDetails } from '../details.js';

export function render(view, params, { id }) {
  const controller = new AbortController();
  let stopped = false;
  clear(view).append(h('h1', null, 'Trace ', h('span', { class: 'mono' }, id)), h('p', { class: 'muted' }, 'Loading…'));

  (async () => {
    let doc;
    const fetchStart = performance.now();
    try {
      doc = await getJSON(`traces/${segment(id)}`, {}, { signal: controller.signal });
    } catch (error) {
      if (error.name !== 'AbortError') clear(view).append(h('h1', null, 'Trace ', h('span', { class: 'mono' }, id)), h('p', { class: 'error' }, error.message));
      return;
    }
    if (stopped) return;
    const renderStart = performance.now();
    const spans = doc.spans || [];
    const index = indexSpans(spans);
    const rows = buildRows(spans, index);
    const { t0, t1 } = bounds(rows);
    const services = [...new Set(spans.map((x) => x.service))].sort();
    const errors = spans.filter((x) => x.status && x.status.code === 'error').length;
    const flows = [...new Set(spans.map((x) => x.attributes && x.attributes['messaging.message.conversation_id']).filter(Boolean))];
    const detailArea = h('div', { class: 'detail-area' }, h('p', { class: 'muted' }, 'Click a span to see its attributes and links.'));
    const showDetails = async (span) => {
      clear(detailArea).append(spanDetails(span, index));
      const extra = await consumersElsewhere(span, index, controller.signal);
      if (!stopped && extra.length && detailArea.firstChild && detailArea.firstChild.dataset.spanId === span.span_id) {
        clear(detailArea).append(spanDetails(span, index, extra));
      }
    };
    const wf = createWaterfall(rows, { onSelect: (row) => showDetails(row.span) });
    clear(view).append(
      h('section', { class: 'card' },
        h('h1', null, 'Trace ', h('span', { class: 'mono' }, doc.trace_id || id)),
        h('dl', { class: 'facts' },
          h('dt', null, 'Spans'), h('dd', null, String(spans.length)),
          h('dt', null, 'Started'), h('dd', null, dateTime(t0)),
          h('dt', null, 'Duration'), h('dd', null, duration(t1 - t0)),
          h('dt', null, 'Services'), h('dd', null, services.join(', ')),
          h('dt', null, 'Errors'), h('dd', null, String(errors)),
          flows.length ? [h('dt', null, 'Flows'), h('dd', null, flows.slice(0, 20).map((f) => [h('a', { href: routeHref('flow', f) }, f), ' ']))] : null)),
      h('section', { class: 'card' }, wf.element, detailArea));
    const wanted = params.get('span');
    if (wanted) {
      const key = spanKey(doc.trace_id || id, wanted);
      if (wf.scrollTo(key)) showDetails(index.byKey.get(key));
    }
    // Force layout so the measurement includes it, then record how long rendering took.
    void view.offsetHeight;
    const done = performance.now();
    view.dataset.renderMs = String(Math.round(done - renderStart));
    view.dataset.loadMs = String(Math.round(done - fetchStart));
    view.dataset.spanCount = String(spans.length);
    view.dataset.loaded = 'true';
  })();
  return () => { stopped = true; controller.abort(); };
}

/** Consumers of a producer span that live in other traces of its flow (long-running flows). */
async function consumersElsewhere(span, index, signal) {
  const flowID = span.kind === 'producer' && span.attributes && span.attributes['messaging.message.conversation_id'];
  if (!flowID) return [];
  try {
    const flow = await getJSON(`flows/${segment(flowID)}`, {}, { signal });
    const others = (flow.trace_ids || []).filter((t) => t !== span.trace_id).slice(0, 20);
    const docs = await Promise.allSettled(others.map((t) => getJSON(`traces/${segment(t)}`, {}, { signal })));
    const key = spanKey(span.trace_id, span.span_id);
    const found = [];
    for (const d of docs) {
      if (d.status !== 'fulfilled') continue;
      for (const other of d.value.spans || []) {
        if ((other.links || []).some((l) => spanKey(l.trace_id, l.span_id) === key) && !index.byKey.has(spanKey(other.trace_id, other.span_id))) found.push(other);
      }
    }
    return found;
  } catch {
    return [];
  }
}
