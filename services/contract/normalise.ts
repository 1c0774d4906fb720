// A Segment-spec call (from any SDK, or a mapped import row) → a Touchpoint, or the problems that stop it (pure).
import type { Context, ExternalId, Scalar, Scalars, Touchpoint, TouchpointType } from './touchpoint.ts';
import { TOUCHPOINT_TYPES } from './touchpoint.ts';
import { isObject, kindOf, own, Problems, type Json } from './fields.ts';
import { jsonShapeProblem } from './json-shape.ts';
import { CONSENT_UPDATED_EVENT, DEFAULT_CONSENT_CATEGORIES, readConsent, type ConsentCategories } from './consent.ts';
import { callName, hasLoneSurrogate, identifierProblem, identifierTypeProblem, LIMITS, messageIdProblem, missingFields, timestampProblem } from './limits.ts';
import { derivedMessageId } from './message-id.ts';
import { scalars } from './scalars.ts';
import { resolveSource } from './source.ts';
import { eventTime, parseTime } from './timestamps.ts';

export interface NormaliseOptions {
  /** When the call reached Tessera, epoch ms: the adapter's clock, passed in. */
  receivedAt: number;
  /** The write key's (or import mapping's) channel; null lets the SDK decide. */
  channel: string | null;
  /** Source when neither the channel nor context.library says. */
  defaultSource: string;
  /** Timestamps further than this after receivedAt are clamped to receivedAt. */
  maxFutureMs: number;
  /** sentAt of the enclosing batch (analytics-node sends it there rather than on each call). */
  batchSentAt?: unknown;
  /**
   * Batch-level context, merged under each call's own context. The caller checks it once per batch (depth below
   * LIMITS.depth, size), rather than once per call.
   */
  batchContext?: Json | null;
  /** Peer address, used for context.ip when the call has none (as Segment does). */
  ip?: string | null;
  /**
   * Segment requires userId or anonymousId. Imports (a support desk export keyed by email) may instead be identified
   * by traits.email / traits.phone or an external id only; the resolver links those identifiers too.
   */
  acceptOtherIdentifiers?: boolean;
  /** Namespaces derived messageIds (e.g. the write key), so two sources sending identical content do not collide. */
  scope?: string;
  /** The consent tool's categories and the purposes each covers (default: Segment's example categories). */
  consentCategories?: ConsentCategories;
}

export type Normalised =
  | { ok: true; touchpoint: Touchpoint }
  | { ok: false; code: 'TSR_COLLECT_INVALID_EVENT'; problems: string[]; messageId: string | null };

export const WARNING_PROPERTY = 'tessera_warning';

export function isTouchpointType(v: unknown): v is TouchpointType {
  return typeof v === 'string' && (TOUCHPOINT_TYPES as readonly string[]).includes(v);
}

const refuse = (problems: string[], messageId: string | null): Normalised => ({ ok: false, code: 'TSR_COLLECT_INVALID_EVENT', problems, messageId });

/** The messageId is the dedupe key: two ids that UTF-8 would make equal must not be two calls. */
const messageIdCheck = (s: string): string | null =>
  messageIdProblem(s) ?? (hasLoneSurrogate(s) ? 'contains a lone UTF-16 surrogate (not Unicode text)' : null);

/**
 * Normalises one call. `type` comes from the endpoint (/v1/track …) and wins over the body's; for /v1/batch items
 * it is null and the body's `type` decides. Every touchpoint it returns passes validateTouchpoint (same limits.ts).
 */
export function normaliseCall(raw: unknown, type: TouchpointType | null, opts: NormaliseOptions): Normalised {
  // First, without recursion: everything after this (JSON.stringify of nested values, the derived messageId) recurses.
  const shape = jsonShapeProblem(raw, LIMITS.depth);
  const sentId = isObject(raw) && typeof own(raw, 'messageId') === 'string' ? (own(raw, 'messageId') as string).slice(0, LIMITS.messageIdLength) : null;
  if (shape !== null) return refuse([shape], sentId);
  if (!isObject(raw)) return refuse([`(call): expected a JSON object, got ${kindOf(raw)}`], null);
  const p = new Problems();
  const callType = type ?? own(raw, 'type');
  if (!isTouchpointType(callType)) {
    p.add('type', callType === undefined
      ? `missing; expected one of ${TOUCHPOINT_TYPES.join(', ')}`
      : `unknown call type ${JSON.stringify(callType)}; expected one of ${TOUCHPOINT_TYPES.join(', ')}`);
  }
  const t: TouchpointType = isTouchpointType(callType) ? callType : 'track';

  const givenMessageId = p.id(raw, 'messageId', 'messageId', messageIdCheck);
  const userId = p.id(raw, 'userId');
  const anonymousId = p.id(raw, 'anonymousId');
  const previousId = p.id(raw, 'previousId');
  const groupId = p.id(raw, 'groupId');
  const event = p.text(raw, 'event');
  const name = p.text(raw, 'name');

  const rawContext = mergedContext(opts.batchContext ?? null, p.object(raw, 'context'));
  const context = rawContext ? readContext(rawContext, p, opts.ip ?? null) : opts.ip ? { ...emptyContext(), ip: opts.ip } : null;
  const traits = scalars(raw, 'traits', p);
  const properties = scalars(raw, 'properties', p);
  const externalIds = readExternalIds(raw, rawContext, p);
  const consent = readConsent(rawContext, opts.consentCategories ?? DEFAULT_CONSENT_CATEGORIES, p);
  // The explicit consent update exists to carry the new preferences: without them it would change nothing, silently.
  if (t === 'track' && own(raw, 'event') === CONSENT_UPDATED_EVENT && consent === null && !p.has('context.consent') && !p.list.some((x) => x.startsWith('context.consent.'))) {
    p.add('context.consent.categoryPreferences', `missing: a "${CONSENT_UPDATED_EVENT}" call carries the new preferences there`);
  }

  if (userId === null && anonymousId === null && !p.has('userId') && !p.has('anonymousId')) {
    if (!opts.acceptOtherIdentifiers) p.add('userId', 'missing: every call needs a userId or an anonymousId');
    else if (otherIdentifier(traits, context, externalIds) === null) {
      p.add('userId', 'missing: a row needs a userId, an anonymousId, traits.email, traits.phone or an external id');
    }
  }
  for (const [field, what] of missingFields({ type: t, event, previousId, userId, groupId })) {
    if (!p.has(field)) p.add(field, `missing: ${callName(t)} needs ${what}`);
  }
  checkIdentifierSlots(raw, rawContext, p);

  // Segment's page/screen calls carry category at the top level; it is a property of the view.
  const category = p.text(raw, 'category');
  if (category !== null && properties.category === undefined) properties.category = category;

  const times = readTimes(raw, opts, p);
  if (!p.has('timestamp') && !p.has('originalTimestamp') && !p.has('sentAt')) {
    const range = timestampProblem(times.timestamp);
    if (range !== null) p.add('timestamp', `event time ${iso(times.timestamp)} ${range.replace(' (epoch milliseconds expected)', '')}`);
  }

  if (!p.empty) return refuse(p.list, givenMessageId ?? sentId);
  if (times.warning) properties[WARNING_PROPERTY] = times.warning;

  return {
    ok: true,
    touchpoint: {
      messageId: givenMessageId ?? derivedMessageId(t, raw, opts.scope),
      type: t,
      event: t === 'track' ? event : null,
      name: t === 'page' || t === 'screen' ? name : null,
      userId,
      anonymousId,
      previousId: t === 'alias' ? previousId : null,
      groupId: t === 'group' ? groupId : null,
      timestamp: times.timestamp,
      sentAt: times.sentAt,
      receivedAt: opts.receivedAt,
      source: resolveSource(opts.channel, rawContext, opts.defaultSource),
      context,
      traits,
      properties,
      externalIds,
      // Only when the call carried consent, so a touchpoint without it reads as before.
      ...(consent ? { consent } : {}),
    },
  };
}

const nonBlank = (v: Scalar | undefined): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

function otherIdentifier(traits: Scalars, context: Context | null, externalIds: ExternalId[]): string | null {
  return nonBlank(traits.email) ?? nonBlank(context?.traits.email) ?? nonBlank(traits.phone) ?? nonBlank(context?.traits.phone) ?? externalIds[0]?.id ?? null;
}

/**
 * The Kafka key, for partition locality: the cookie when there is one (a visitor's anonymous history stays in
 * order), else the user id, else (imports) the first other identifier, else the messageId.
 */
export function partitionKey(t: Touchpoint): string {
  return t.anonymousId ?? t.userId ?? otherIdentifier(t.traits, t.context, t.externalIds) ?? t.messageId;
}

function readTimes(raw: Json, opts: NormaliseOptions, p: Problems): { timestamp: number; sentAt: number | null; warning: string | null } {
  // RudderStack SDKs send originalTimestamp (device clock) instead of timestamp.
  const clientKey = own(raw, 'timestamp') !== undefined && own(raw, 'timestamp') !== null ? 'timestamp' : 'originalTimestamp';
  const clientRaw = own(raw, clientKey);
  let client: number | null = null;
  if (clientRaw !== undefined && clientRaw !== null) {
    const parsed = parseTime(clientRaw);
    if (parsed.ok) client = parsed.ms;
    else p.add(clientKey, parsed.message);
  }
  const sentRaw = own(raw, 'sentAt') ?? opts.batchSentAt;
  let sentAt: number | null = null;
  if (sentRaw !== undefined && sentRaw !== null) {
    const parsed = parseTime(sentRaw);
    if (parsed.ok) sentAt = parsed.ms;
    else p.add('sentAt', parsed.message);
  }
  return { ...eventTime(client, sentAt, opts.receivedAt, opts.maxFutureMs), sentAt };
}

function mergedContext(batch: Json | null, own: Json | null): Json | null {
  if (!batch) return own;
  if (!own) return batch;
  return { ...batch, ...own };
}

function emptyContext(): Context {
  return {
    ip: null, userAgent: null, locale: null, timezone: null, page: null, campaign: null,
    device: null, os: null, app: null, location: null, traits: {},
  };
}

/** Reads the named string fields of a nested context object; null when absent. */
function group<K extends string>(ctx: Json, key: string, fields: readonly K[], p: Problems): Record<K, string | null> | null {
  const o = p.object(ctx, key, `context.${key}`);
  if (!o) return null;
  const out = {} as Record<K, string | null>;
  for (const f of fields) out[f] = p.text(o, f, `context.${key}.${f}`);
  return out;
}

function readContext(ctx: Json, p: Problems, peerIp: string | null): Context {
  return {
    ip: p.text(ctx, 'ip', 'context.ip') ?? peerIp,
    userAgent: p.text(ctx, 'userAgent', 'context.userAgent'),
    locale: p.text(ctx, 'locale', 'context.locale'),
    timezone: p.text(ctx, 'timezone', 'context.timezone'),
    page: group(ctx, 'page', ['path', 'referrer', 'search', 'title', 'url'] as const, p),
    campaign: group(ctx, 'campaign', ['name', 'source', 'medium', 'term', 'content'] as const, p),
    device: group(ctx, 'device', ['id', 'advertisingId', 'type', 'model', 'manufacturer'] as const, p),
    os: group(ctx, 'os', ['name', 'version'] as const, p),
    app: group(ctx, 'app', ['name', 'version', 'build'] as const, p),
    location: group(ctx, 'location', ['country', 'region', 'city'] as const, p),
    traits: scalars(ctx, 'traits', p, 'context.traits'),
  };
}

/** externalIds from context.externalIds (Segment) and a top-level externalIds (imports, other SDKs). */
function readExternalIds(raw: Json, ctx: Json | null, p: Problems): ExternalId[] {
  const out: ExternalId[] = [];
  const lists: [string, unknown][] = [['context.externalIds', ctx ? own(ctx, 'externalIds') : undefined], ['externalIds', own(raw, 'externalIds')]];
  for (const [path, list] of lists) {
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      p.add(path, `expected an array of {type, id}, got ${kindOf(list)}`);
      continue;
    }
    list.forEach((item, i) => {
      const at = `${path}[${i}]`;
      if (!isObject(item)) return p.add(at, `expected an object {type, id}, got ${kindOf(item)}`);
      const type = p.id(item, 'type', `${at}.type`, identifierTypeProblem);
      const id = p.id(item, 'id', `${at}.id`);
      const collection = p.text(item, 'collection', `${at}.collection`);
      if (type === null && !p.has(`${at}.type`)) p.add(`${at}.type`, 'missing: an external id needs a type, e.g. "crm_id"');
      if (id === null && !p.has(`${at}.id`)) p.add(`${at}.id`, 'missing: an external id needs an id');
      if (type !== null && id !== null) out.push({ type, id, collection });
    });
  }
  if (out.length > LIMITS.externalIds) p.add('externalIds', `${out.length} external ids, over the ${LIMITS.externalIds}-id limit per call`);
  return out;
}

/**
 * Email and phone traits and device ids are identifiers too: the same limits as userId. Checked on the values as sent,
 * before descriptive text has its lone surrogates replaced.
 */
function checkIdentifierSlots(raw: Json, rawContext: Json | null, p: Problems): void {
  const slots: [string, unknown, readonly string[]][] = [
    ['traits', own(raw, 'traits'), ['email', 'phone']],
    ['context.traits', rawContext ? own(rawContext, 'traits') : undefined, ['email', 'phone']],
    ['context.device', rawContext ? own(rawContext, 'device') : undefined, ['id', 'advertisingId']],
  ];
  for (const [path, obj, keys] of slots) {
    if (!isObject(obj)) continue;
    for (const key of keys) {
      const v = own(obj, key);
      const problem = typeof v === 'string' ? identifierProblem(v) : null;
      if (problem !== null) p.add(`${path}.${key}`, problem);
    }
  }
}

const iso = (ms: number): string => (Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : `${ms} ms`);
