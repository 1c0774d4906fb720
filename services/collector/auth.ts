// Write keys: their configuration ("key1:web,key2") and where a request carries one (basic auth or body) (pure).

/** Write key → its channel (touchpoint.source), or null to take the channel from the SDK's context. */
export type WriteKeys = ReadonlyMap<string, string | null>;

export type ParsedKeys = { ok: true; keys: WriteKeys } | { ok: false; problem: string };

/** Parses "key1:web,key2:server,key3"; a key without a channel lets the SDK decide. */
export function parseWriteKeys(spec: string): ParsedKeys {
  const keys = new Map<string, string | null>();
  for (const entry of spec.split(',').map((e) => e.trim()).filter(Boolean)) {
    const i = entry.lastIndexOf(':');
    const key = (i < 0 ? entry : entry.slice(0, i)).trim();
    const channel = i < 0 ? null : entry.slice(i + 1).trim();
    if (!key) return { ok: false, problem: `empty write key in ${JSON.stringify(entry)}` };
    if (channel !== null && !/^[a-z][a-z0-9_-]*$/.test(channel)) {
      return { ok: false, problem: `channel of write key ${JSON.stringify(key)} must be lower-case letters, digits, - or _ (got ${JSON.stringify(channel)})` };
    }
    if (keys.has(key)) return { ok: false, problem: `write key ${JSON.stringify(key)} is listed twice` };
    keys.set(key, channel);
  }
  if (keys.size === 0) return { ok: false, problem: 'no write key configured: set e.g. "key1:web,key2:server"' };
  return { ok: true, keys };
}

/**
 * The write key of an Authorization header: Segment SDKs send HTTP basic auth with the key as the user name and
 * an empty password. Returns null when there is no usable basic credential.
 */
export function writeKeyFromHeader(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(authorization);
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  const user = i < 0 ? decoded : decoded.slice(0, i);
  return user === '' ? null : user;
}

/** analytics.js may send the key in the body instead ({"writeKey": "…"}). */
export function writeKeyFromBody(body: unknown): string | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  // The body's own field only: {"__proto__": {"writeKey": …}} names no key.
  const k = Object.hasOwn(body, 'writeKey') ? (body as Record<string, unknown>).writeKey : undefined;
  return typeof k === 'string' && k !== '' ? k : null;
}

export type Authorised = { ok: true; writeKey: string; channel: string | null } | { ok: false; message: string };

export function authorise(keys: WriteKeys, fromHeader: string | null, fromBody: string | null): Authorised {
  const key = fromHeader ?? fromBody;
  if (key === null) {
    return { ok: false, message: 'missing write key: send it as the HTTP basic auth user name (Authorization: Basic base64("<writeKey>:")) or as "writeKey" in the JSON body' };
  }
  if (!keys.has(key)) return { ok: false, message: `unknown write key ${JSON.stringify(mask(key))}: check the key configured in your SDK` };
  return { ok: true, writeKey: key, channel: keys.get(key) ?? null };
}

/** First four characters only: a write key is a credential and must not be echoed or logged whole. */
export const mask = (key: string): string => (key.length <= 4 ? '****' : `${key.slice(0, 4)}…`);
