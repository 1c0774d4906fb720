// Access tokens: their configuration ("token:read,token2:admin") and where a request carries one (pure).
import { createHash } from 'node:crypto';

export type Scope = 'read' | 'admin';

/** sha256(token) → scope: the configured tokens are not kept in the clear once parsed. */
export type Tokens = ReadonlyMap<string, Scope>;

export type ParsedTokens = { ok: true; tokens: Tokens } | { ok: false; problem: string };

const digest = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Parses "tok1:read,tok2:admin"; every token names its scope, tokens are at least 16 characters. */
export function parseTokens(spec: string): ParsedTokens {
  const tokens = new Map<string, Scope>();
  for (const entry of spec.split(',').map((e) => e.trim()).filter(Boolean)) {
    const i = entry.lastIndexOf(':');
    const token = i < 0 ? '' : entry.slice(0, i).trim();
    const scope = i < 0 ? '' : entry.slice(i + 1).trim();
    if (scope !== 'read' && scope !== 'admin') return { ok: false, problem: `token entry ${mask(entry)} must end in :read or :admin` };
    // Short tokens can be guessed: a token guards every customer's identifiers.
    if (token.length < 16) return { ok: false, problem: `token ${mask(token)} is shorter than 16 characters` };
    if (/\s/.test(token)) return { ok: false, problem: `token ${mask(token)} contains white space` };
    const d = digest(token);
    if (tokens.has(d)) return { ok: false, problem: `token ${mask(token)} is listed twice` };
    tokens.set(d, scope);
  }
  if (tokens.size === 0) return { ok: false, problem: 'no token configured: set e.g. "<read-token>:read,<admin-token>:admin"' };
  return { ok: true, tokens };
}

/**
 * The token of an Authorization header: `Bearer <token>`, or HTTP basic auth with the token as the user name and
 * an empty password (how Segment's Profile API clients send their access token).
 */
export function tokenFromHeader(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (bearer) return bearer[1]!;
  const basic = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(authorization);
  if (!basic) return null;
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  const user = i < 0 ? decoded : decoded.slice(0, i);
  return user === '' ? null : user;
}

export type Authorised = { ok: true; scope: Scope } | { ok: false; status: 401 | 403; message: string };

/** Whether the request's token may use a route that needs `need`; admin tokens may use every read route. */
export function authorise(tokens: Tokens, authorization: string | undefined, need: Scope): Authorised {
  const token = tokenFromHeader(authorization);
  if (token === null) {
    return { ok: false, status: 401, message: 'missing access token: send Authorization: Bearer <token> (or basic auth with the token as the user name and an empty password)' };
  }
  const scope = tokens.get(digest(token));
  if (scope === undefined) return { ok: false, status: 401, message: `unknown access token ${mask(token)}` };
  if (need === 'admin' && scope !== 'admin') return { ok: false, status: 403, message: 'this route needs an admin token; the token given has the read scope' };
  return { ok: true, scope };
}

/** First four characters only: a token is a credential and must not be echoed or logged whole. */
export const mask = (token: string): string => (token.length <= 4 ? '****' : `${token.slice(0, 4)}…`);
