// Formatting of times and durations for people.

/** Milliseconds since the epoch of an RFC 3339 time, or NaN. */
export function parseTime(text) {
  return text ? Date.parse(text) : NaN;
}

/** A duration in milliseconds as `850 µs`, `12.3 ms`, `4.20 s`, `3m 05s`, `2h 10m`. */
export function duration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '–';
  if (ms < 0) ms = 0;
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(2)} s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

/** A local wall-clock time with milliseconds, e.g. `14:03:07.120`. */
export function clock(ms) {
  if (Number.isNaN(ms)) return '–';
  const d = new Date(ms);
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** A local date and time, e.g. `2026-11-22 14:03:07`. */
export function dateTime(ms) {
  if (Number.isNaN(ms)) return '–';
  const d = new Date(ms);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** How long ago, e.g. `5 s ago`. */
export function ago(ms, now = Date.now()) {
  if (Number.isNaN(ms)) return '–';
  return `${duration(Math.max(0, now - ms))} ago`;
}

/** A span's start and end in milliseconds since the epoch (nanosecond fields, precise enough for display). */
export function spanTimes(span) {
  const start = Number(span.start_time_unix_nano) / 1e6;
  const end = Number(span.end_time_unix_nano) / 1e6;
  return { start, end: Math.max(start, end) };
}

/** Short form of a long hex id. */
export function shortID(id, n = 8) {
  return id && id.length > n ? id.slice(0, n) + '…' : id ?? '';
}
