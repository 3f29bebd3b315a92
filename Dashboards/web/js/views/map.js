// The process map: the discovered graph of message types with counts and p50/p95 latencies,
// laid out in layers, the variants with their share, and one chosen flow's path highlighted.

import { h, s, clear, routeHref } from '../dom.js';
import { getJSON, segment, ApiError } from '../api.js';
import { duration } from '../format.js';
import { layeredLayout } from '../layout.js';
import { WINDOWS, sinceFor } from './flows.js';

const NODE_W = 180;
const NODE_H = 40;

/** Map and variants from flow summaries, for collectors without the map routes (no latencies). */
export function mapFromSummaries(flows) {
  const nodes = new Map();
  const edges = new Map();
  const variants = new Map();
  for (const f of flows) {
    const types = f.types || [];
    types.forEach((t) => nodes.set(t, (nodes.get(t) || 0) + 1));
    for (let i = 1; i < types.length; i++) {
      const key = `${types[i - 1]}\u0000${types[i]}`;
      edges.set(key, (edges.get(key) || 0) + 1);
    }
    const key = types.join('\u0000');
    const v = variants.get(key) || { types, count: 0, example: f.correlation_id };
    v.count++;
    variants.set(key, v);
  }
  return {
    map: {
      flows: flows.length,
      nodes: [...nodes].map(([type, count]) => ({ type, count })),
      edges: [...edges].map(([key, count]) => { const [from, to] = key.split('\u0000'); return { from, to, count, p50_ms: null, p95_ms: null }; }),
    },
    variants: { flows: flows.length, variants: [...variants.values()].sort((a, b) => b.count - a.count).map((v) => ({ ...v, share: flows.length ? v.count / flows.length : 0 })) },
  };
}

/** The edges a flow walked: causation (parent type → type), or publish order when the map is directly-follows. */
export function flowPath(flow, mapEdges) {
  const steps = flow.steps || [];
  const byID = new Map(steps.map((st) => [st.message_id, st]));
  const causal = new Set();
  for (const st of steps) {
    const parent = st.causation_id && byID.get(st.causation_id);
    if (parent) causal.add(`${parent.type}\u0000${st.type}`);
  }
  const known = new Set(mapEdges.map((e) => `${e.from}\u0000${e.to}`));
  let edges = causal;
  if (![...causal].some((k) => known.has(k))) {
    edges = new Set();
    for (let i = 1; i < steps.length; i++) edges.add(`${steps[i - 1].type}\u0000${steps[i].type}`);
  }
  return { nodes: new Set(steps.map((st) => st.type)), edges };
}

export function render(view, params, { navigate }) {
  const controller = new AbortController();
  const win = params.get('window') || '24h';
  const flowID = params.get('flow') || '';
  const since = sinceFor(win);
  const flowInput = h('input', { name: 'flow', value: flowID, placeholder: 'correlation id to highlight', 'aria-label': 'Flow to highlight' });
  const windowSelect = h('select', { name: 'window', 'aria-label': 'time window' }, WINDOWS.map(([name]) => h('option', { value: name, selected: name === win }, name === 'all' ? 'all time' : `last ${name}`)));
  const apply = () => {
    const q = new URLSearchParams();
    if (windowSelect.value !== '24h') q.set('window', windowSelect.value);
    if (flowInput.value.trim()) q.set('flow', flowInput.value.trim());
    navigate(`#/map${q.toString() ? '?' + q : ''}`);
  };
  const note = h('p', { class: 'muted' }, 'Loading…');
  const graphArea = h('div', { class: 'map-wrap' });
  const variantArea = h('div');
  const edgeArea = h('div');
  clear(view).append(
    h('div', { class: 'view-head' }, h('h1', null, 'Process map')),
    h('form', { class: 'filters', on: { submit: (e) => { e.preventDefault(); apply(); }, change: apply } }, windowSelect, flowInput, h('button', { type: 'submit' }, 'Show')),
    note,
    h('div', { class: 'map-grid' },
      h('section', { class: 'card' }, h('h2', null, 'Message types'), graphArea),
      h('div', null,
        h('section', { class: 'card' }, h('h2', null, 'Variants'), variantArea),
        h('section', { class: 'card' }, h('h2', null, 'Transitions'), edgeArea))));

  (async () => {
    let map;
    let variants;
    let derived = false;
    try {
      [map, variants] = await Promise.all([
        getJSON('map', { since, limit: 10000 }, { signal: controller.signal }),
        getJSON('variants', { since, limit: 50 }, { signal: controller.signal }),
      ]);
    } catch (error) {
      if (error.name === 'AbortError') return;
      if (!(error instanceof ApiError) || error.status !== 404) { note.textContent = `Cannot load the map: ${error.message}`; return; }
      try {
        const flows = await getJSON('flows', { since, limit: 5000 }, { signal: controller.signal });
        ({ map, variants } = mapFromSummaries(flows));
        derived = true;
      } catch (inner) {
        if (inner.name !== 'AbortError') note.textContent = `Cannot load flows: ${inner.message}`;
        return;
      }
    }
    let highlight = null;
    if (flowID) {
      try {
        highlight = flowPath(await getJSON(`flows/${segment(flowID)}`, {}, { signal: controller.signal }), map.edges || []);
      } catch (error) {
        if (error.name === 'AbortError') return;
        note.textContent = `Cannot highlight flow ${flowID}: ${error.message}`;
      }
    }
    if (!highlight) note.textContent = `${map.flows ?? 0} flows` + (derived ? ' (derived in the browser from flow summaries: no latencies)' : '');
    else note.textContent = `${map.flows ?? 0} flows; highlighted: the path of ${flowID}`;
    clear(graphArea).append(drawMap(map, highlight));
    clear(variantArea).append(variantTable(variants));
    clear(edgeArea).append(edgeTable(map));
    view.dataset.loaded = 'true';
  })();
  return () => controller.abort();
}

function latency(edge) {
  if (edge.p50_ms === null || edge.p50_ms === undefined) return '';
  return `p50 ${duration(edge.p50_ms)} · p95 ${duration(edge.p95_ms)}`;
}

function drawMap(map, highlight) {
  const nodes = (map.nodes || []).map((n) => n.type);
  const edges = map.edges || [];
  if (!nodes.length) return h('p', { class: 'muted' }, 'No flows in this window.');
  const { pos, width, height, reversed } = layeredLayout(nodes, edges);
  const svg = s('svg', { class: `process-map ${highlight ? 'has-highlight' : ''}`, width, height: height + 20, viewBox: `0 0 ${width} ${height + 20}`, role: 'img', 'aria-label': 'Process map' });
  svg.appendChild(s('defs', null,
    s('marker', { id: 'map-arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 9, markerHeight: 9, markerUnits: 'userSpaceOnUse', orient: 'auto' }, s('path', { d: 'M0 0 L10 5 L0 10 z', class: 'map-arrow' })),
    s('marker', { id: 'map-arrow-hl', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 9, markerHeight: 9, markerUnits: 'userSpaceOnUse', orient: 'auto' }, s('path', { d: 'M0 0 L10 5 L0 10 z', class: 'map-arrow hl' }))));
  const edgeLayer = s('g', { class: 'edges' });
  const labelLayer = s('g', { class: 'edge-labels' });
  edges.forEach((e, i) => {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) return;
    const on = highlight && highlight.edges.has(`${e.from}\u0000${e.to}`);
    let d;
    let lx;
    let ly;
    let anchor = 'start';
    if (e.from === e.to) {
      const x = a.x + NODE_W / 2;
      d = `M${x} ${a.y - 8} C ${x + 40} ${a.y - 30}, ${x + 40} ${a.y + 30}, ${x} ${a.y + 8}`;
      lx = x + 34; ly = a.y + 4;
    } else if (reversed.has(i) || b.layer <= a.layer) {
      const side = Math.max(a.x, b.x) + NODE_W / 2 + 50;
      d = `M${a.x + NODE_W / 2} ${a.y} C ${side} ${a.y}, ${side} ${b.y}, ${b.x + NODE_W / 2} ${b.y}`;
      lx = side - 8; ly = (a.y + b.y) / 2;
    } else {
      const y1 = a.y + NODE_H / 2;
      const y2 = b.y - NODE_H / 2;
      const my = (y1 + y2) / 2;
      d = `M${a.x} ${y1} C ${a.x} ${my}, ${b.x} ${my}, ${b.x} ${y2}`;
      lx = (a.x + b.x) / 2 + 6; ly = my + 4;
      if (b.layer - a.layer > 1) { lx = (a.x + b.x) / 2 + 6; }
      if (Math.abs(b.x - a.x) > 20) anchor = 'middle';
    }
    const g = s('g', { class: `edge ${on ? 'hl' : ''}`, dataset: { from: e.from, to: e.to } },
      s('path', { d, class: 'edge-path', 'marker-end': on ? 'url(#map-arrow-hl)' : 'url(#map-arrow)' }),
      s('title', null, `${e.from} → ${e.to}: ${e.count} ${latency(e)}`));
    g.querySelector('path').style.strokeWidth = String(1 + Math.min(5, Math.log2(1 + e.count) / 2));
    edgeLayer.appendChild(g);
    const lines = [`${e.count}×`];
    if (e.p50_ms !== null && e.p50_ms !== undefined) lines.push(`p50 ${duration(e.p50_ms)}`, `p95 ${duration(e.p95_ms)}`);
    const label = s('text', { class: `edge-label ${on ? 'hl' : ''}`, x: lx, y: ly - ((lines.length - 1) * 11) / 2, 'text-anchor': anchor });
    lines.forEach((line, k) => label.appendChild(s('tspan', { x: lx, dy: k === 0 ? 0 : 11, class: k === 0 ? 'cnt' : 'lat' }, line)));
    labelLayer.appendChild(label);
  });
  const nodeLayer = s('g', { class: 'nodes' });
  for (const n of map.nodes || []) {
    const p = pos.get(n.type);
    const on = highlight && highlight.nodes.has(n.type);
    nodeLayer.appendChild(s('g', { class: `node ${on ? 'hl' : ''}`, dataset: { type: n.type } },
      s('rect', { x: p.x - NODE_W / 2, y: p.y - NODE_H / 2, width: NODE_W, height: NODE_H, rx: 6 }),
      s('text', { class: 'node-label', x: p.x, y: p.y - 2, 'text-anchor': 'middle' }, n.type),
      s('text', { class: 'node-count', x: p.x, y: p.y + 13, 'text-anchor': 'middle' }, `${n.count}×`),
      s('title', null, `${n.type}: ${n.count}`)));
  }
  svg.append(edgeLayer, nodeLayer, labelLayer);
  return svg;
}

function variantTable(variants) {
  const list = (variants && variants.variants) || [];
  if (!list.length) return h('p', { class: 'muted' }, 'No variants.');
  return h('table', { class: 'variants' },
    h('thead', null, h('tr', null, ['Share', 'Flows', 'Path', 'Example'].map((t) => h('th', null, t)))),
    h('tbody', null, list.map((v) => {
      const bar = h('span', { class: 'share-bar' });
      bar.style.width = `${Math.round((v.share || 0) * 100)}%`;
      return h('tr', null,
        h('td', { class: 'share' }, h('span', { class: 'share-track' }, bar), ` ${((v.share || 0) * 100).toFixed(1)}%`),
        h('td', { class: 'num' }, String(v.count)),
        h('td', { class: 'path' }, (v.types || []).join(' → ')),
        h('td', null, v.example ? [h('a', { href: `#/map?flow=${encodeURIComponent(v.example)}` }, 'highlight'), ' · ', h('a', { href: routeHref('flow', v.example) }, v.example)] : ''));
    })));
}

function edgeTable(map) {
  const edges = [...(map.edges || [])].sort((a, b) => b.count - a.count);
  return h('table', { class: 'edges-table' },
    h('thead', null, h('tr', null, ['From', 'To', 'Count', 'p50', 'p95'].map((t) => h('th', null, t)))),
    h('tbody', null, edges.map((e) => h('tr', null, h('td', null, e.from), h('td', null, e.to), h('td', { class: 'num' }, String(e.count)),
      h('td', { class: 'num' }, e.p50_ms === null || e.p50_ms === undefined ? '–' : duration(e.p50_ms)),
      h('td', { class: 'num' }, e.p95_ms === null || e.p95_ms === undefined ? '–' : duration(e.p95_ms))))));
}
