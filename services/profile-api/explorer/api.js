// The profile API as the explorer reads it: same origin, the token from the tab's session storage.

const TOKEN_KEY = 'tessera.token';

/** Takes a token handed over in the URL fragment (#token=…) into session storage and out of the address bar. */
export function adoptTokenFromFragment() {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!m) return;
  sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
  history.replaceState(null, '', `${location.pathname}${location.search}#/overview`);
}

export const token = () => sessionStorage.getItem(TOKEN_KEY);
export const setToken = (t) => sessionStorage.setItem(TOKEN_KEY, t);
export const clearToken = () => sessionStorage.removeItem(TOKEN_KEY);

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.tessera_code ?? null;
  }
}

/** GET a JSON route; throws ApiError with the API's message on a non-2xx answer. */
export async function get(path, query = {}) {
  const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ''));
  const res = await fetch(`${path}${qs.size ? `?${qs}` : ''}`, { headers: { authorization: `Bearer ${token()}` } });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

/** The path of a profile route for an identifier or a profile id (percent-encoded, so + and / survive). */
export const profilePath = (id, rest = '') => `/v1/profiles/${encodeURIComponent(id)}${rest}`;
