// The flow list: live (polls), counts by status, filters, stuck and failed first.

import { h, clear, badge, routeHref } from '../dom.js';
import { getJSON, ApiError } from '../api.js';
import { parseTime, ago, dateTime, duration } from '../format.js';

export const STATUSES = ['stuck', 'failed', 'in_flight', 'compensated', 'completed'];
const RANK = new Map(STATUSES.map((status, i) => [status, i]));
export const WINDOWS = [['15m', 15 * 60e3], ['1h', 3600e3], ['6h', 6 * 3600e3], ['24h', 86400e3], ['7d', 7 * 86400e3], ['all', 0]];
const POLL_MS = 4000;
const LIMIT = 1000;

/** Stuck first, then failed, in flight, compensated, completed; most recent activity first within each. */
export function sortFlows(flows) {
  return [...flows].sort((a, b) =>
    (RANK.get(a.status) ?? 9) - (RANK.get(b.status) ?? 9) || parseTime(b.last_activity_at) - parseTime(a.last_activity_at));
}

/**
 * The oldest stuck flow among `flows`: how long it has made no progress (ms) and its id, or null
 * when none is stuck. `partial` (the list was cut at its limit) makes it a lower bound.
 */
export function oldestStuck(flows, now = Date.now(), partial = false) {
  let oldest = null;
  for (const f of flows) {
    if (f.status !== 'stuck') continue;
    const last = parseTime(f.last_activity_at);
    if (Number.isNaN(last)) continue;
    if (!oldest || last < oldest.last) oldest = { last, id: f.correlation_id };
  }
  return oldest && { ageMs: Math.max(0, now - oldest.last), id: oldest.id, atLeast: partial };
}

/** Applies the filters the server may not know (type, service), and status again to be safe. */
export function filterFlows(flows, filters) {
  return flows.filter((f) =>
    (!filters.status || f.status === filters.status) &&
    (!filters.type || (f.types || []).includes(filters.type) || f.outcome === filters.type) &&
    (!filters.service || (f.services || []).includes(filters.service)));
}

export function sinceFor(window, now = Date.now()) {
  const found = WINDOWS.find(([name]) => name === window);
  return found && found[1] ? new Date(now - found[1]).toISOString() : undefined;
}

export function render(view, params, { navigate }) {
  const filters = { status: params.get('status') || '', type: params.get('type') || '', service: params.get('service') || '', window: params.get('window') || '24h' };
  let timer = null;
  let stopped = false;
  let controller = null;
  const known = { types: new Set(), services: new Set() };

  const counts = h('div', { class: 'counts', role: 'group', 'aria-label': 'Flows by status' });
  const updated = h('span', { class: 'muted live' }, '');
  const tbody = h('tbody');
  const statusSelect = select('status', [['', 'any status'], ...STATUSES.map((x) => [x, x.replace('_', ' ')])], filters.status);
  const windowSelect = select('window', WINDOWS.map(([name]) => [name, name === 'all' ? 'all time' : `last ${name}`]), filters.window);
  const typeInput = h('input', { name: 'type', list: 'flow-types', placeholder: 'message type', value: filters.type, 'aria-label': 'Message type' });
  const serviceInput = h('input', { name: 'service', list: 'flow-services', placeholder: 'service', value: filters.service, 'aria-label': 'Service' });
  const typeList = h('datalist', { id: 'flow-types' });
  const serviceList = h('datalist', { id: 'flow-services' });
  const form = h('form', { class: 'filters', on: { submit: (e) => { e.preventDefault(); apply(); }, change: () => apply() } },
    statusSelect, typeInput, serviceInput, windowSelect, typeList, serviceList, h('button', { type: 'submit' }, 'Filter'));
  const message = h('p', { class: 'muted' });
  clear(view).append(
    h('div', { class: 'view-head' }, h('h1', null, 'Flows'), updated),
    counts, form, message,
    h('table', { class: 'flows' },
      h('thead', null, h('tr', null, ['Status', 'Correlation id', 'Outcome', 'Steps', 'Comp.', 'Errors', 'Waiting for', 'Services', 'Started', 'Duration', 'Last activity'].map((t) => h('th', null, t)))),
      tbody));

  function select(name, options, value) {
    return h('select', { name, 'aria-label': name }, options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)));
  }

  function apply() {
    const q = new URLSearchParams();
    if (statusSelect.value) q.set('status', statusSelect.value);
    if (typeInput.value.trim()) q.set('type', typeInput.value.trim());
    if (serviceInput.value.trim()) q.set('service', serviceInput.value.trim());
    if (windowSelect.value !== '24h') q.set('window', windowSelect.value);
    navigate(`#/flows${q.toString() ? '?' + q : ''}`);
  }

  function renderCounts(byStatus, total, oldest) {
    clear(counts);
    counts.appendChild(h('a', { class: `count ${filters.status ? '' : 'active'}`, href: '#/flows' }, h('strong', null, String(total)), ' all'));
    for (const status of STATUSES) {
      const q = new URLSearchParams(params);
      q.set('status', status);
      counts.appendChild(h('a', { class: `count status-${status} ${filters.status === status ? 'active' : ''}`, href: `#/flows?${q}`, dataset: { status, count: byStatus[status] || 0 } },
        h('strong', null, String(byStatus[status] || 0)), ' ', status.replace('_', ' ')));
    }
    if (oldest) {
      // How long the oldest stuck flow has made no progress (what the stuck alert is about).
      counts.appendChild(h('a', { class: 'count oldest-stuck status-stuck', href: routeHref('flow', oldest.id), dataset: { ageMs: Math.round(oldest.ageMs) }, title: `oldest stuck flow: ${oldest.id}` },
        'oldest stuck: quiet ', h('strong', null, `${oldest.atLeast ? '≥ ' : ''}${duration(oldest.ageMs)}`)));
    }
  }

  function renderRows(flows) {
    const now = Date.now();
    const fragment = document.createDocumentFragment();
    for (const f of flows) {
      const started = parseTime(f.started_at);
      const last = parseTime(f.last_activity_at);
      fragment.appendChild(h('tr', { class: `flow-row status-${f.status}`, dataset: { status: f.status, correlationId: f.correlation_id } },
        h('td', null, badge(f.status)),
        h('td', { class: 'mono' }, h('a', { href: routeHref('flow', f.correlation_id) }, f.correlation_id)),
        h('td', null, f.outcome || '—'),
        h('td', { class: 'num' }, String(f.step_count)),
        h('td', { class: 'num' }, String(f.compensation_count)),
        h('td', { class: 'num' }, String(f.error_count)),
        h('td', null, f.waiting_for || ''),
        h('td', { class: 'services' }, (f.services || []).join(', ')),
        h('td', { title: f.started_at }, dateTime(started)),
        h('td', { class: 'num' }, duration(last - started)),
        h('td', { title: f.last_activity_at }, ago(last, now))));
    }
    clear(tbody).appendChild(fragment);
  }

  async function load() {
    controller = new AbortController();
    const since = sinceFor(filters.window);
    try {
      const query = { type: filters.type, service: filters.service, since, limit: LIMIT };
      const [recent, troubled] = await Promise.all([
        getJSON('flows', { ...query, status: filters.status }, { signal: controller.signal }),
        // Stuck and failed flows always make the list, however old.
        filters.status ? [] : getJSON('flows', { ...query, status: 'stuck,failed' }, { signal: controller.signal }),
      ]);
      const seen = new Set(recent.map((f) => f.correlation_id));
      const flows = recent.concat(troubled.filter((f) => !seen.has(f.correlation_id)));
      const { byStatus, total } = await statusCounts(flows, since, controller.signal);
      for (const f of flows) { (f.types || []).forEach((t) => known.types.add(t)); (f.services || []).forEach((x) => known.services.add(x)); }
      clear(typeList).append(...[...known.types].sort().map((t) => h('option', { value: t })));
      clear(serviceList).append(...[...known.services].sort().map((t) => h('option', { value: t })));
      const shown = sortFlows(filterFlows(flows, filters));
      const stuckShown = filters.status === 'stuck' ? recent : troubled;
      const oldest = (byStatus.stuck || 0) > 0 ? oldestStuck(flows, Date.now(), stuckShown.length >= LIMIT) : null;
      renderCounts(byStatus, total, oldest);
      renderRows(shown);
      message.textContent = shown.length ? (recent.length >= LIMIT ? `Showing the ${LIMIT} most recent flows (and every stuck or failed one).` : '') : 'No flows match.';
      updated.textContent = `live · updated ${new Date().toLocaleTimeString()}`;
      view.dataset.loaded = 'true';
    } catch (error) {
      if (error.name === 'AbortError') return;
      message.textContent = error instanceof ApiError ? `Cannot load flows: ${error.message}` : String(error);
    }
    if (!stopped) timer = setTimeout(load, POLL_MS);
  }

  /** Counts by status over the whole window: the stats route, or counted from a list on older collectors. */
  async function statusCounts(flows, since, signal) {
    try {
      const stats = await getJSON('flows/stats', { type: filters.type, service: filters.service, since }, { signal });
      return { byStatus: stats.by_status || {}, total: stats.total ?? 0 };
    } catch (error) {
      if (error.name === 'AbortError' || !(error instanceof ApiError) || error.status !== 404) throw error;
    }
    const all = filters.status ? await getJSON('flows', { type: filters.type, service: filters.service, since, limit: LIMIT }, { signal }) : flows;
    const byStatus = {};
    for (const f of filterFlows(all, { ...filters, status: '' })) byStatus[f.status] = (byStatus[f.status] || 0) + 1;
    return { byStatus, total: Object.values(byStatus).reduce((a, b) => a + b, 0) };
  }

  load();
  return () => { stopped = true; clearTimeout(timer); if (controller) controller.abort(); };
}
