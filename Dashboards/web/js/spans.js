// Span trees: parent/child and producer→consumer links turned into waterfall rows, with the
// queue time (publish → processing start) and handling time of every consumer span. O(n log n).

import { spanTimes } from './format.js';

export function spanKey(traceID, spanID) {
  return `${traceID}:${spanID}`;
}

/** Indexes spans by key and by who links to them (consumers of a producer, across traces). */
export function indexSpans(spans) {
  const byKey = new Map();
  const linkedFrom = new Map();
  for (const span of spans) byKey.set(spanKey(span.trace_id, span.span_id), span);
  for (const span of spans) {
    for (const link of span.links || []) {
      const key = spanKey(link.trace_id, link.span_id);
      if (!linkedFrom.has(key)) linkedFrom.set(key, []);
      linkedFrom.get(key).push(span);
    }
  }
  return { byKey, linkedFrom };
}

/** The producer a consumer span handled: its parent or a linked span, when present and a producer. */
export function producerOf(span, byKey) {
  if (span.kind !== 'consumer') return null;
  if (span.parent_span_id) {
    const parent = byKey.get(spanKey(span.trace_id, span.parent_span_id));
    if (parent && parent.kind === 'producer') return parent;
  }
  for (const link of span.links || []) {
    const linked = byKey.get(spanKey(link.trace_id, link.span_id));
    if (linked && linked.kind === 'producer') return linked;
  }
  return null;
}

/**
 * Orders spans depth-first (children by start time) and returns one row per span:
 * `{ span, key, depth, start, end, queueMs, handlingMs }`. A span whose parent is missing hangs
 * under the producer it links to, else it is a root. Cycles cannot loop: each span appears once.
 */
export function buildRows(spans, index = indexSpans(spans)) {
  const { byKey } = index;
  const children = new Map();
  const roots = [];
  const times = new Map();
  for (const span of spans) times.set(span, spanTimes(span));
  for (const span of spans) {
    const own = spanKey(span.trace_id, span.span_id);
    let parentKey = span.parent_span_id ? spanKey(span.trace_id, span.parent_span_id) : null;
    if (!parentKey || !byKey.has(parentKey) || parentKey === own) {
      const link = (span.links || []).find((l) => byKey.has(spanKey(l.trace_id, l.span_id)) && spanKey(l.trace_id, l.span_id) !== own);
      parentKey = link ? spanKey(link.trace_id, link.span_id) : null;
    }
    if (parentKey) {
      if (!children.has(parentKey)) children.set(parentKey, []);
      children.get(parentKey).push(span);
    } else roots.push(span);
  }
  const byStart = (a, b) => times.get(a).start - times.get(b).start;
  roots.sort(byStart);
  for (const list of children.values()) list.sort(byStart);

  const rows = [];
  const seen = new Set();
  const visit = (root) => {
    const stack = [[root, 0]];
    while (stack.length) {
      const [span, depth] = stack.pop();
      const key = spanKey(span.trace_id, span.span_id);
      if (seen.has(key)) continue;
      seen.add(key);
      const { start, end } = times.get(span);
      const producer = producerOf(span, byKey);
      const queueMs = producer ? Math.max(0, start - times.get(producer).end) : null;
      rows.push({ span, key, depth, start, end, queueMs, handlingMs: end - start, producerKey: producer ? spanKey(producer.trace_id, producer.span_id) : null });
      const kids = children.get(key);
      if (kids) for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i], depth + 1]);
    }
  };
  for (const root of roots) visit(root);
  // Spans caught in a parent cycle were never reached from a root: show them as roots.
  for (const span of spans) if (!seen.has(spanKey(span.trace_id, span.span_id))) visit(span);
  return rows;
}

/** Earliest start and latest end over rows (ms since the epoch). */
export function bounds(rows) {
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const row of rows) {
    if (row.start < t0) t0 = row.start;
    if (row.end > t1) t1 = row.end;
    if (row.queueMs !== null && row.start - row.queueMs < t0) t0 = row.start - row.queueMs;
  }
  if (!Number.isFinite(t0)) return { t0: 0, t1: 1 };
  return { t0, t1: t1 > t0 ? t1 : t0 + 1 };
}

/** A readable attribute value (arrays and numbers as JSON). */
export function attributeText(value) {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
