// The touchpoint as it travels on Kafka (schemas/avro/touchpoint.avsc), in TypeScript.
import type { Consent } from './consent.ts';

export type TouchpointType = 'identify' | 'track' | 'page' | 'screen' | 'alias' | 'group';
export const TOUCHPOINT_TYPES: readonly TouchpointType[] = ['identify', 'track', 'page', 'screen', 'alias', 'group'];

/** Free-form traits and properties hold scalars; nested values are kept as JSON strings. */
export type Scalar = string | number | boolean | null;
export type Scalars = Record<string, Scalar>;

export interface Page { path: string | null; referrer: string | null; search: string | null; title: string | null; url: string | null }
export interface Campaign { name: string | null; source: string | null; medium: string | null; term: string | null; content: string | null }
export interface Device { id: string | null; advertisingId: string | null; type: string | null; model: string | null; manufacturer: string | null }
export interface Os { name: string | null; version: string | null }
export interface App { name: string | null; version: string | null; build: string | null }
export interface Location { country: string | null; region: string | null; city: string | null }

export interface Context {
  ip: string | null;
  userAgent: string | null;
  locale: string | null;
  timezone: string | null;
  page: Page | null;
  campaign: Campaign | null;
  device: Device | null;
  os: Os | null;
  app: App | null;
  location: Location | null;
  traits: Scalars;
}

export interface ExternalId { type: string; id: string; collection: string | null }

export interface Touchpoint {
  messageId: string;
  type: TouchpointType;
  event: string | null;
  name: string | null;
  userId: string | null;
  anonymousId: string | null;
  previousId: string | null;
  groupId: string | null;
  /** Event time, epoch milliseconds UTC. */
  timestamp: number;
  sentAt: number | null;
  receivedAt: number | null;
  source: string;
  context: Context | null;
  traits: Scalars;
  properties: Scalars;
  externalIds: ExternalId[];
  /** The consent the call carried; null or absent: it said nothing about consent (a touchpoint of the first schema). */
  consent?: Consent | null;
}
