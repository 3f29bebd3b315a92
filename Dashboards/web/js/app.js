// The dashboard shell: hash routes, the token prompt, the search box.
//   #/flows[?status=&type=&service=&window=]   live flow list
//   #/flow/<correlation id>                    one flow
//   #/map[?window=&flow=<correlation id>]      process map and variants
//   #/trace/<trace id>[?span=<span id>]        one trace

import { h, clear } from './dom.js';
import { getToken, setToken } from './api.js';
import * as flows from './views/flows.js';
import * as flow from './views/flow.js';
import * as map from './views/map.js';
import * as trace from './views/trace.js';

const view = document.getElementById('view');
let dispose = null;

/** Splits `#/a/b?x=1` into decoded path segments and query parameters. */
export function parseHash(hash) {
  const text = hash.replace(/^#\/?/, '');
  const q = text.indexOf('?');
  const path = q >= 0 ? text.slice(0, q) : text;
  const params = new URLSearchParams(q >= 0 ? text.slice(q + 1) : '');
  const segments = path.split('/').filter((x) => x.length).map((x) => { try { return decodeURIComponent(x); } catch { return x; } });
  return { segments, params };
}

function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function route() {
  if (dispose) { try { dispose(); } catch { /* a view failed to stop */ } dispose = null; }
  delete view.dataset.loaded;
  delete view.dataset.renderMs;
  const { segments, params } = parseHash(location.hash);
  const [name, ...rest] = segments;
  const id = rest.join('/');
  const ctx = { navigate, id };
  view.dataset.view = name || 'flows';
  document.querySelectorAll('[data-nav]').forEach((a) => a.classList.toggle('active', a.dataset.nav === (name === 'flow' ? 'flows' : name || 'flows')));
  if (!name || name === 'flows') { document.title = 'Flows · Choreoscope'; dispose = flows.render(view, params, ctx); }
  else if (name === 'flow' && id) { document.title = `Flow ${id} · Choreoscope`; dispose = flow.render(view, params, ctx); }
  else if (name === 'map') { document.title = 'Process map · Choreoscope'; dispose = map.render(view, params, ctx); }
  else if (name === 'trace' && id) { document.title = `Trace ${id} · Choreoscope`; dispose = trace.render(view, params, ctx); }
  else { clear(view).append(h('h1', null, 'Not found'), h('p', null, 'No such view. ', h('a', { href: '#/flows' }, 'Go to the flows.'))); }
}

function setupSearch() {
  const form = document.getElementById('search');
  const input = document.getElementById('search-input');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    navigate(/^[0-9a-fA-F]{32}$/.test(text) ? `#/trace/${text.toLowerCase()}` : `#/flow/${encodeURIComponent(text)}`);
  });
}

function setupToken() {
  const panel = document.getElementById('token-panel');
  const input = document.getElementById('token-input');
  const hint = document.getElementById('token-hint');
  const button = document.getElementById('token-button');
  const refresh = () => { button.textContent = getToken() ? 'Token ✓' : 'Token'; };
  refresh();
  button.addEventListener('click', () => { panel.hidden = !panel.hidden; if (!panel.hidden) input.focus(); });
  panel.addEventListener('submit', (event) => {
    event.preventDefault();
    setToken(input.value.trim());
    input.value = '';
    panel.hidden = true;
    refresh();
    route();
  });
  document.getElementById('token-clear').addEventListener('click', () => { setToken(''); refresh(); hint.textContent = 'Token forgotten.'; });
  window.addEventListener('choreo:unauthorized', (event) => {
    panel.hidden = false;
    hint.textContent = event.detail && event.detail.hadToken
      ? 'The collector refused this token. Enter the query token (--query-token-file).'
      : 'This collector requires a query token (--query-token-file). It is kept in this browser tab only.';
    input.focus();
  });
}

setupSearch();
setupToken();
window.addEventListener('hashchange', route);
if (!location.hash) history.replaceState(null, '', '#/flows');
route();
