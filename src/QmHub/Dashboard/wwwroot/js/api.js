// The public /api/v1, read with the sign-in cookie (same origin). A 401 sends the browser back to /signin.

export class ApiError extends Error {
  constructor(status, title, detail) {
    super(detail || title || `HTTP ${status}`);
    this.status = status;
    this.title = title;
  }
}

/** GET /api/v1{path} with the query (a URLSearchParams or object; empty values are left out). */
export async function get(path, query, signal) {
  const url = apiUrl(path, query);
  const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' }, signal });
  if (response.status === 401) {
    location.assign('/signin?return=' + encodeURIComponent(location.pathname + location.search));
    throw new ApiError(401, 'Signed out', 'Your API key is no longer accepted; sign in again.');
  }
  if (!response.ok) {
    let problem = {};
    try { problem = await response.json(); } catch { /* not a problem document */ }
    throw new ApiError(response.status, problem.title, problem.detail);
  }
  return response.json();
}

/** Every page of a keyset-paged list. */
export async function all(path, query, signal) {
  const items = [];
  let cursor = null;
  let first = null;
  do {
    const q = new URLSearchParams(clean(query));
    q.set('limit', '500');
    if (cursor) q.set('cursor', cursor);
    const page = await get(path, q, signal);
    first ??= page;
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return { ...first, items };
}

export function apiUrl(path, query, extra) {
  const q = new URLSearchParams(clean(query));
  for (const [k, v] of Object.entries(extra ?? {})) q.set(k, v);
  const s = q.toString();
  return `/api/v1${path}${s ? '?' + s : ''}`;
}

/** The query without empty values. */
export function clean(query) {
  const out = new URLSearchParams();
  for (const [k, v] of query instanceof URLSearchParams ? query : Object.entries(query ?? {})) {
    if (v !== null && v !== undefined && v !== '') out.set(k, v);
  }
  return out;
}
