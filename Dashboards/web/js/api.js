// The query API client. Every call carries `Authorization: Bearer <token>` when the user has
// entered a query token; the token lives in sessionStorage (this tab only). A 401 asks for it.

const TOKEN_KEY = 'choreoscope.queryToken';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export function getToken() {
  try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch { return ''; }
}

export function setToken(token) {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch { /* storage disabled: the token lasts until reload */ }
}

/** Builds `/api/v1/<path>?<query>` from a path and an object of parameters (empty values left out). */
export function apiURL(path, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) { if (value.length) query.set(key, value.join(',')); } else query.set(key, String(value));
  }
  const text = query.toString();
  return `/api/v1/${path}${text ? '?' + text : ''}`;
}

async function request(url, { signal, as = 'json' } = {}) {
  const headers = { Accept: as === 'json' ? 'application/json' : '*/*' };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(url, { headers, signal, credentials: 'same-origin', cache: 'no-store' });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, `cannot reach the collector (${error.message})`);
  }
  if (response.status === 401) {
    window.dispatchEvent(new CustomEvent('choreo:unauthorized', { detail: { hadToken: Boolean(token) } }));
    throw new ApiError(401, token ? 'the query token was refused' : 'this collector needs a query token');
  }
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = await response.json();
      if (body && typeof body.error === 'string') message = body.error;
    } catch { /* not JSON */ }
    throw new ApiError(response.status, message);
  }
  return as === 'json' ? response.json() : response.text();
}

/** GET a JSON document from the query API. */
export function getJSON(path, params, options) {
  return request(apiURL(path, params), options);
}

/** GET a text document (exports) from the query API. */
export function getText(path, params, options) {
  return request(apiURL(path, params), { ...options, as: 'text' });
}

/** Percent-encodes one path segment (a correlation id may hold `/`). */
export function segment(id) {
  return encodeURIComponent(id);
}
