// DOM helpers: every piece of data enters the page as a text node or an attribute value,
// never as markup: the dashboard never parses strings as HTML.

const SVG_NS = 'http://www.w3.org/2000/svg';

function applyProps(el, props) {
  if (!props) return;
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.setAttribute('class', value);
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'on') for (const [ev, fn] of Object.entries(value)) el.addEventListener(ev, fn);
    else if (key === 'dataset') for (const [k, v] of Object.entries(value)) el.dataset[k] = String(v);
    else if (key === 'style') for (const [k, v] of Object.entries(value)) el.style[k] = v;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

/** Creates an HTML element; strings among the children become text nodes. */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  applyProps(el, props);
  append(el, children);
  return el;
}

/** Creates an SVG element (attributes set with setAttribute, text as text nodes). */
export function s(tag, props, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  applyProps(el, props);
  append(el, children);
  return el;
}

/** Removes every child of an element. */
export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** A status badge, e.g. `completed`. */
export function badge(status, label) {
  return h('span', { class: `badge status-${String(status).replace(/[^a-z_]/g, '')}` }, label ?? String(status).replace('_', ' '));
}

/** A link to a dashboard route built from path segments (each percent-encoded). */
export function routeLink(text, ...segments) {
  return h('a', { href: routeHref(...segments) }, text);
}

export function routeHref(...segments) {
  return '#/' + segments.map((x) => encodeURIComponent(x)).join('/');
}
