// A layered (Sugiyama-style) layout of a directed graph, top to bottom: cycles broken by
// reversing DFS back edges, layers by longest path, order within layers by barycenter sweeps.

/**
 * `nodes`: array of ids; `edges`: array of `{ from, to }`. Returns `{ pos: Map(id → {x, y, layer}),
 * width, height, reversed: Set(edge index) }` with node centres in pixels.
 */
export function layeredLayout(nodes, edges, { layerGap = 84, nodeGap = 215, margin = 110 } = {}) {
  const out = new Map(nodes.map((n) => [n, []]));
  const indeg = new Map(nodes.map((n) => [n, 0]));
  edges.forEach((e, i) => {
    if (e.from === e.to || !out.has(e.from) || !out.has(e.to)) return;
    out.get(e.from).push({ to: e.to, i });
    indeg.set(e.to, indeg.get(e.to) + 1);
  });

  // 1. Break cycles: DFS from the sources (then anything left); an edge to a node on the stack is reversed.
  const reversed = new Set();
  const state = new Map();
  const starts = [...nodes].sort((a, b) => indeg.get(a) - indeg.get(b));
  for (const start of starts) {
    if (state.has(start)) continue;
    const stack = [[start, 0]];
    state.set(start, 'open');
    while (stack.length) {
      const top = stack[stack.length - 1];
      const list = out.get(top[0]);
      if (top[1] >= list.length) { state.set(top[0], 'done'); stack.pop(); continue; }
      const { to, i } = list[top[1]++];
      if (state.get(to) === 'open') reversed.add(i);
      else if (!state.has(to)) { state.set(to, 'open'); stack.push([to, 0]); }
    }
  }
  const dag = new Map(nodes.map((n) => [n, []]));
  const preds = new Map(nodes.map((n) => [n, []]));
  edges.forEach((e, i) => {
    if (e.from === e.to || !out.has(e.from) || !out.has(e.to)) return;
    const [a, b] = reversed.has(i) ? [e.to, e.from] : [e.from, e.to];
    dag.get(a).push(b);
    preds.get(b).push(a);
  });

  // 2. Longest-path layering over a topological order (Kahn).
  const remaining = new Map(nodes.map((n) => [n, preds.get(n).length]));
  const queue = nodes.filter((n) => remaining.get(n) === 0);
  const layer = new Map(nodes.map((n) => [n, 0]));
  for (let k = 0; k < queue.length; k++) {
    const n = queue[k];
    for (const m of dag.get(n)) {
      layer.set(m, Math.max(layer.get(m), layer.get(n) + 1));
      remaining.set(m, remaining.get(m) - 1);
      if (remaining.get(m) === 0) queue.push(m);
    }
  }
  const layerCount = Math.max(0, ...layer.values()) + 1;
  const layers = Array.from({ length: layerCount }, () => []);
  for (const n of nodes) layers[layer.get(n)].push(n);

  // 3. Order within layers: barycenter of neighbours in the previous (then next) layer.
  const order = new Map();
  const renumber = () => layers.forEach((l) => l.forEach((n, i) => order.set(n, i)));
  renumber();
  const bary = (n, neighbours, fallback) => {
    const list = neighbours.get(n);
    return list.length ? list.reduce((sum, m) => sum + order.get(m), 0) / list.length : fallback;
  };
  for (let sweep = 0; sweep < 6; sweep++) {
    const down = sweep % 2 === 0;
    const seq = down ? layers.slice(1) : layers.slice(0, -1).reverse();
    for (const l of seq) {
      const keyed = l.map((n) => [n, bary(n, down ? preds : dag, order.get(n))]);
      keyed.sort((a, b) => a[1] - b[1]);
      keyed.forEach(([n], i) => { l[i] = n; });
      renumber();
    }
  }

  // 4. Coordinates: layers top to bottom, each layer centred horizontally.
  const widest = Math.max(1, ...layers.map((l) => l.length));
  const pos = new Map();
  layers.forEach((l, li) => {
    const offset = ((widest - l.length) * nodeGap) / 2;
    l.forEach((n, i) => pos.set(n, { x: margin + offset + i * nodeGap, y: 40 + li * layerGap, layer: li }));
  });
  return { pos, width: margin * 2 + (widest - 1) * nodeGap + 120, height: 80 + (layerCount - 1) * layerGap, reversed };
}
