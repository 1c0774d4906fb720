// The claims this extract instance published, each with the earliest (eventTime, messageId) it published:
// bounded, least recently seen out first. A forgotten claim is published again (harmless: the link stage keeps
// the earliest key); an earlier event of a remembered claim is never mistaken for a repeat.

/** new: not remembered; earlier: remembered with a later event (news: a claim keeps its earliest key); repeat. */
export type Offer = 'new' | 'earlier' | 'repeat';

interface Published { eventTime: number; messageId: string }

const before = (t: number, m: string, p: Published) => t < p.eventTime || (t === p.eventTime && m < p.messageId);

export class ClaimCache {
  // A Map iterates in insertion order: re-inserting on every hit keeps the least recently seen first.
  private readonly published = new Map<string, Published>();

  constructor(readonly capacity: number) {}

  /** Says whether a claim seen at (eventTime, messageId) is news, and remembers it if so. */
  offer(key: string, eventTime: number, messageId: string): Offer {
    const p = this.published.get(key);
    if (p !== undefined) {
      this.published.delete(key);
      if (!before(eventTime, messageId, p)) {
        this.published.set(key, p);
        return 'repeat';
      }
    }
    if (this.capacity === 0) return p === undefined ? 'new' : 'earlier';
    this.published.set(key, { eventTime, messageId });
    if (this.published.size > this.capacity) this.published.delete(this.published.keys().next().value as string);
    return p === undefined ? 'new' : 'earlier';
  }

  // The consent last published per claim, with its event: bounded like the claims.
  private readonly consent = new Map<string, Published & { value: string }>();

  /**
   * Whether a claim's consent seen at (eventTime, messageId) is to be published: the first seen, or a later event
   * that says something else. An earlier event never overrides a later one (the topic keeps the latest by event time
   * as far as this instance saw; ClickHouse's profile_consent orders by event time whatever the arrival order).
   */
  offerConsent(key: string, eventTime: number, messageId: string, value: string): boolean {
    const p = this.consent.get(key);
    if (p !== undefined && (before(eventTime, messageId, p) || p.value === value)) return false;
    this.consent.delete(key);
    if (this.capacity === 0) return true;
    this.consent.set(key, { eventTime, messageId, value });
    if (this.consent.size > this.capacity) this.consent.delete(this.consent.keys().next().value as string);
    return true;
  }

  get size(): number {
    return this.published.size;
  }
}
