// The API's read routes: Segment-compatible profile reads, Tessera's profile 360, explain and the overview. Each handler
// answers a value or throws an ApiError with a catalog code. Admin routes live in admin-routes.ts, nowhere else.
import type { ErrorCode } from '../kit/error-catalog.ts';
import type { IdentityConfig, Identifier } from '../identity/index.ts';
import type { Scope } from './tokens.ts';
import type { DeadLetterTally } from './dead-letters.ts';
import type { ExplainGraph, LinkEdge } from './explain-graph.ts';
import { identifierKey, parseLookupKey } from './lookup-key.ts';
import {
  boolParam, encodeCursor, eventCursorParam, keyCursorParam, limitParam, listParam, rangeParams, sortParam, type Parsed,
} from './params.ts';
import { BUCKET_MS, type Bucket, type TimeRange } from './queries.ts';
import { iso, linkedOrder, segmentEvent, segmentExternalIds, segmentMetadata, segmentTraits } from './segment.ts';
import type { PrivacyAdmin } from './privacy-admin.ts';
import type { IdentityTables, ProfileEntry } from './tables.ts';
import type { Warehouse } from './warehouse.ts';

export class ApiError extends Error {
  constructor(readonly code: ErrorCode, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

export interface Limits {
  /** Events: the window when no start is given, and the widest window allowed. */
  eventsDefaultDays: number;
  eventsMaxDays: number;
  overviewDefaultDays: number;
  overviewMaxDays: number;
}

export interface RouteContext {
  tables: IdentityTables;
  graph: ExplainGraph;
  deadLetters: DeadLetterTally;
  warehouse: Warehouse;
  identity: IdentityConfig;
  limits: Limits;
  clock: () => number;
  /** Whether the identity tables have been read to their end since start. */
  restored: () => boolean;
  /** Erasure and export (admin routes); absent where the API runs without Kafka (the benchmark). */
  privacy?: PrivacyAdmin;
}

export interface Request { params: Record<string, string>; query: URLSearchParams; url: string }

/** HEAD is answered by a GET route; other methods are for admin routes that change state (erasure). */
export type Method = 'GET' | 'POST' | 'DELETE';

export interface Route {
  name: string;
  /** GET when absent. */
  method?: Method;
  template: string;
  scope: Scope;
  handle(ctx: RouteContext, req: Request): Promise<unknown> | unknown;
}

const SEGMENT = '/v1/spaces/:space/collections/:collection/profiles/:id';
const NATIVE = '/v1/profiles/:id';

export function take<T>(p: Parsed<T>): T {
  if (!p.ok) throw new ApiError('TSR_API_BAD_QUERY', p.message);
  return p.value;
}

const notReady = (): ApiError => new ApiError('TSR_API_NOT_READY', 'still reading the identity tables; retry shortly', { 'retry-after': '2' });

/** The profile a path's :id names (TYPE:VALUE or a profile id), following merges. */
function resolveProfile(ctx: RouteContext, req: Request): { profile: ProfileEntry; identifier: Identifier | null; followed: string[] } {
  if (req.params.collection !== undefined && req.params.collection !== 'users') {
    throw new ApiError('TSR_API_NOT_FOUND', `collection ${JSON.stringify(req.params.collection)}: Tessera keeps user profiles only (collections/users)`);
  }
  const key = parseLookupKey(req.params.id ?? '', ctx.identity);
  if (!key.ok) throw new ApiError(key.code, key.message);
  if (!ctx.restored()) throw notReady();
  const r = key.kind === 'identifier' ? ctx.tables.byIdentifier(key.key) : ctx.tables.byProfileId(key.profileId);
  if (!r.ok) throw new ApiError(r.code, r.message, r.code === 'TSR_API_NOT_READY' ? { 'retry-after': '1' } : {});
  return { profile: r.profile, identifier: key.kind === 'identifier' ? key.identifier : null, followed: r.followed };
}

/** The profile's identifiers as TYPE:VALUE: its claims in the warehouse are those whose primary identifier is one of them. */
const identifierKeys = (p: ProfileEntry): string[] => p.identifiers.map((l) => `${l.type}:${l.value}`);

const cursor = (req: Request, hasMore: boolean, next: string, limit: number) => ({ url: req.url, has_more: hasMore, next: hasMore ? next : '', limit });

async function traitsRoute(ctx: RouteContext, req: Request) {
  const { profile } = resolveProfile(ctx, req);
  const limit = take(limitParam(req.query, 10, 200));
  const include = take(listParam(req.query, 'include', 200));
  const verbose = take(boolParam(req.query, 'verbose'));
  const after = take(keyCursorParam(req.query));
  const cls = req.query.get('class');
  if (cls !== null && cls !== 'audience' && cls !== 'computed_trait') throw new ApiError('TSR_API_BAD_QUERY', 'class must be audience or computed_trait');
  // Tessera computes no audiences or traits (yet): those classes are empty, not an error.
  const rows = cls === null ? await ctx.warehouse.traits(identifierKeys(profile), include, after, limit) : [];
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { traits: segmentTraits(page, verbose), cursor: cursor(req, rows.length > limit, last ? encodeCursor({ after: last.trait }) : '', limit) };
}

function externalIdsRoute(ctx: RouteContext, req: Request) {
  const { profile } = resolveProfile(ctx, req);
  const limit = take(limitParam(req.query, 25, 100));
  const include = new Set(take(listParam(req.query, 'include')));
  const verbose = take(boolParam(req.query, 'verbose'));
  const after = take(keyCursorParam(req.query));
  const all = linkedOrder(profile.identifiers).filter((l) => include.size === 0 || include.has(l.type));
  let start = 0;
  if (after !== null) {
    const i = all.findIndex((l) => `${l.type}:${l.value}` === after);
    // The identifier the page ended on has left the profile (a move, an erasure): starting over beats skipping some.
    if (i < 0) throw new ApiError('TSR_API_BAD_QUERY', 'next points to an identifier this profile no longer holds; start again without next');
    start = i + 1;
  }
  const page = all.slice(start, start + limit);
  const last = page[page.length - 1];
  return { data: segmentExternalIds(page, verbose), cursor: cursor(req, start + limit < all.length, last ? encodeCursor({ after: `${last.type}:${last.value}` }) : '', limit) };
}

async function eventsRoute(ctx: RouteContext, req: Request) {
  const { profile } = resolveProfile(ctx, req);
  const limit = take(limitParam(req.query, 10, 100));
  const range = take(rangeParams(req.query, ctx.clock(), ctx.limits.eventsDefaultDays, ctx.limits.eventsMaxDays));
  const rows = await ctx.warehouse.events({
    profileId: profile.profileId, range, sort: take(sortParam(req.query)), limit, after: take(eventCursorParam(req.query)),
    include: take(listParam(req.query, 'include')), exclude: take(listParam(req.query, 'exclude')),
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    data: page.map((r) => segmentEvent(r, profile.profileId)),
    cursor: cursor(req, rows.length > limit, last ? encodeCursor({ ms: Number(last.event_ms), id: last.message_id }) : '', limit),
  };
}

function metadataRoute(ctx: RouteContext, req: Request) {
  return { metadata: segmentMetadata(resolveProfile(ctx, req).profile) };
}

function linksRoute(ctx: RouteContext, req: Request) {
  resolveProfile(ctx, req);
  // Tessera keeps no account profiles: a user links to none.
  return { data: [] };
}

const show = (id: Identifier): string => identifierKey(id);
const edgeBody = (e: LinkEdge) => ({ from: show(e.from), to: show(e.to), messageId: e.messageId, eventTime: iso(e.eventTime) });

/** Tessera's profile 360 from the identity tables: the profile, its identifiers with their linking events, and the links. */
function profileRoute(ctx: RouteContext, req: Request) {
  const { profile, identifier, followed } = resolveProfile(ctx, req);
  const ids = linkedOrder(profile.identifiers);
  const anchor = ids[0];
  const links = anchor ? ctx.graph.edges(anchor, ids.slice(1)) : { edges: [], complete: true };
  return {
    lookup: { input: req.params.id, identifier: identifier ? show(identifier) : null, followed },
    profile: { id: profile.profileId, state: profile.state, firstSeen: iso(profile.firstSeen), lastSeen: iso(profile.lastSeen), identifierCount: ids.length },
    identifiers: ids.map((l) => ({ type: l.type, value: l.value, linkedAt: iso(l.eventTime), linkedBy: l.messageId })),
    links: { edges: links.edges.map(edgeBody), complete: links.complete },
  };
}

async function activityRoute(ctx: RouteContext, req: Request) {
  const { profile } = resolveProfile(ctx, req);
  const range = take(rangeParams(req.query, ctx.clock(), ctx.limits.overviewDefaultDays, ctx.limits.overviewMaxDays));
  const [totals, byDay] = await Promise.all([ctx.warehouse.totals(identifierKeys(profile)), ctx.warehouse.activityByDay(identifierKeys(profile), range)]);
  return {
    profileId: profile.profileId,
    range: { start: iso(range.start), end: iso(range.end) },
    totals: totals && { ...totals, firstSeen: totals.firstSeen && iso(totals.firstSeen), lastSeen: totals.lastSeen && iso(totals.lastSeen) },
    byDay,
  };
}

/** Where one side of an explain stands in the identifier table. */
function side(ctx: RouteContext, name: 'a' | 'b', raw: string | null): { identifier: Identifier; key: string; profileId: string | null } {
  if (raw === null || raw === '') throw new ApiError('TSR_API_BAD_QUERY', `${name} is required: explain?a=TYPE:VALUE&b=TYPE:VALUE`);
  const k = parseLookupKey(raw, ctx.identity);
  if (!k.ok) throw new ApiError(k.code, `${name}: ${k.message}`);
  if (k.kind !== 'identifier') throw new ApiError('TSR_API_BAD_IDENTIFIER', `${name}: explain takes identifiers (TYPE:VALUE), not profile ids`);
  const entry = ctx.tables.identifier(k.key);
  if (entry === undefined) throw new ApiError('TSR_API_UNKNOWN_IDENTIFIER', `${name}: no event carried ${k.key}`);
  return { identifier: k.identifier, key: k.key, profileId: entry.profileId };
}

async function explainRoute(ctx: RouteContext, req: Request) {
  if (!ctx.restored()) throw notReady();
  const a = side(ctx, 'a', req.query.get('a'));
  const b = side(ctx, 'b', req.query.get('b'));
  const chain = ctx.graph.explain(a.identifier, b.identifier);
  const body = {
    a: { identifier: a.key, profileId: a.profileId },
    b: { identifier: b.key, profileId: b.profileId },
    linked: chain !== null,
    profileId: chain === null ? null : ctx.graph.profileOf(a.identifier),
    chain: chain?.map(edgeBody) ?? null,
    events: null as unknown,
  };
  const withEvents = take(boolParam(req.query, 'events', true));
  if (chain !== null && chain.length > 0 && withEvents) {
    const times = chain.map((e) => e.eventTime);
    // The linking events themselves (their call, channel and identifiers), when the warehouse answers.
    try {
      body.events = await ctx.warehouse.linkingEvents([...new Set(chain.map((e) => e.messageId))], { start: Math.min(...times), end: Math.max(...times) + 1 });
    } catch (err) {
      body.events = { unavailable: (err as Error).message };
    }
  }
  return body;
}

function bucketFor(range: TimeRange): Bucket {
  return range.end - range.start <= 3 * BUCKET_MS.day ? 'hour' : 'day';
}

async function overviewRoute(ctx: RouteContext, req: Request) {
  const range = take(rangeParams(req.query, ctx.clock(), ctx.limits.overviewDefaultDays, ctx.limits.overviewMaxDays));
  const bucket = bucketFor(range);
  const w = ctx.warehouse;
  // One query at a time: the warehouse shares two cores with the pipeline.
  const channel = await w.eventsBy('channel', range, bucket);
  const deviceType = await w.eventsBy('deviceType', range, bucket);
  const region = await w.eventsBy('region', range, bucket);
  const identityChanges = await w.identityChanges(range, bucket);
  const refusals = await w.refusals(range, bucket);
  const t = ctx.tables.stats();
  const g = ctx.graph.stats();
  return {
    range: { start: iso(range.start), end: iso(range.end), bucket, bucketMs: BUCKET_MS[bucket] },
    state: { ...t, graphIdentifiers: g.identifiers, graphClaims: g.claims, restored: ctx.restored() },
    series: { channel, deviceType, region, identityChanges, refusals, deadLetters: ctx.deadLetters.series(range.start, range.end, BUCKET_MS[bucket]) },
  };
}

/** Every read route: the read scope (an admin token may use them too). */
export const READ_ROUTES: Route[] = [
  { name: 'segment.traits', template: `${SEGMENT}/traits`, scope: 'read', handle: traitsRoute },
  { name: 'segment.external_ids', template: `${SEGMENT}/external_ids`, scope: 'read', handle: externalIdsRoute },
  { name: 'segment.events', template: `${SEGMENT}/events`, scope: 'read', handle: eventsRoute },
  { name: 'segment.metadata', template: `${SEGMENT}/metadata`, scope: 'read', handle: metadataRoute },
  { name: 'segment.links', template: `${SEGMENT}/links`, scope: 'read', handle: linksRoute },
  { name: 'profile', template: NATIVE, scope: 'read', handle: profileRoute },
  { name: 'profile.traits', template: `${NATIVE}/traits`, scope: 'read', handle: traitsRoute },
  { name: 'profile.external_ids', template: `${NATIVE}/external_ids`, scope: 'read', handle: externalIdsRoute },
  { name: 'profile.events', template: `${NATIVE}/events`, scope: 'read', handle: eventsRoute },
  { name: 'profile.metadata', template: `${NATIVE}/metadata`, scope: 'read', handle: metadataRoute },
  { name: 'profile.activity', template: `${NATIVE}/activity`, scope: 'read', handle: activityRoute },
  { name: 'explain', template: '/v1/explain', scope: 'read', handle: explainRoute },
  { name: 'overview', template: '/v1/overview', scope: 'read', handle: overviewRoute },
];
