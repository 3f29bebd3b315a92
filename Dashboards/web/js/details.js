// The detail panel of one span: identity, timing, raw attributes, events, and its links in
// both directions (producer → consumers and back), each navigable to the span in its trace.

import { h, routeHref } from './dom.js';
import { spanKey, attributeText, producerOf } from './spans.js';
import { duration, dateTime, spanTimes, shortID } from './format.js';

/** `#/trace/<trace id>?span=<span id>` */
export function spanHref(traceID, spanID) {
  return `${routeHref('trace', traceID)}?span=${encodeURIComponent(spanID)}`;
}

function spanLink(span, traceID, spanID) {
  const label = span ? `${span.name} (${span.service || '?'})` : `span ${spanID}`;
  return h('li', null, h('a', { href: spanHref(traceID, spanID) }, label), ' ', h('span', { class: 'muted mono' }, `trace ${shortID(traceID)}`));
}

function table(entries) {
  if (!entries.length) return h('p', { class: 'muted' }, 'none');
  return h('table', { class: 'kv' }, h('tbody', null, entries.map(([k, v]) =>
    h('tr', null, h('th', { class: 'mono' }, k), h('td', { class: 'mono' }, attributeText(v))))));
}

/**
 * Renders the panel. `index` is `{ byKey, linkedFrom }` over the spans known on this page;
 * `extraLinkedFrom` (optional) lists consumers found in other traces.
 */
export function spanDetails(span, index, extraLinkedFrom = []) {
  const { start, end } = spanTimes(span);
  const attributes = Object.entries(span.attributes || {}).sort(([a], [b]) => a.localeCompare(b));
  const resource = Object.entries(span.resource || {}).sort(([a], [b]) => a.localeCompare(b));
  const producer = producerOf(span, index.byKey);
  const consumers = [...(index.linkedFrom.get(spanKey(span.trace_id, span.span_id)) || [])];
  for (const extra of extraLinkedFrom) if (!consumers.some((c) => c.span_id === extra.span_id && c.trace_id === extra.trace_id)) consumers.push(extra);
  const conversation = span.attributes && span.attributes['messaging.message.conversation_id'];
  const statusCode = (span.status && span.status.code) || 'unset';

  const facts = [
    ['kind', span.kind || 'unspecified'], ['service', span.service || ''], ['status', statusCode + (span.status && span.status.message ? `: ${span.status.message}` : '')],
    ['start', dateTime(start)], ['duration', duration(end - start)], ['trace id', span.trace_id], ['span id', span.span_id],
    ['parent span id', span.parent_span_id || '—'], ['scope', span.scope || '—'],
  ];
  return h('section', { class: 'span-details', 'aria-label': 'Span details', dataset: { spanId: span.span_id } },
    h('h3', null, span.name),
    h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', null, k), h('dd', { class: k.endsWith('id') ? 'mono' : null }, v)])),
    conversation ? h('p', null, 'Flow: ', h('a', { href: routeHref('flow', conversation) }, conversation)) : null,
    h('div', { class: 'links-grid' },
      h('div', null, h('h4', null, 'Links to (producer)'),
        (span.links || []).length
          ? h('ul', { class: 'links' }, span.links.map((l) => spanLink(index.byKey.get(spanKey(l.trace_id, l.span_id)), l.trace_id, l.span_id)))
          : h('p', { class: 'muted' }, producer ? '' : 'none'),
        span.parent_span_id ? h('p', null, h('a', { href: spanHref(span.trace_id, span.parent_span_id) }, 'parent span')) : null),
      h('div', null, h('h4', null, 'Linked from (consumers)'),
        consumers.length ? h('ul', { class: 'links' }, consumers.map((c) => spanLink(c, c.trace_id, c.span_id))) : h('p', { class: 'muted' }, 'none'))),
    h('details', { open: true }, h('summary', null, `Attributes (${attributes.length})`), table(attributes)),
    h('details', null, h('summary', null, `Resource (${resource.length})`), table(resource)),
    h('details', { open: (span.events || []).length > 0 }, h('summary', null, `Events (${(span.events || []).length})`),
      (span.events || []).length
        ? h('ul', { class: 'events' }, span.events.map((e) => h('li', null, h('strong', null, e.name || 'event'), ' ', table(Object.entries(e.attributes || {})))))
        : h('p', { class: 'muted' }, 'none')));
}
