// The most recent messageIds the resolver published: a repeated messageId (an SDK retry, a file imported twice)
// is dropped instead of counted twice downstream. Bounded: the oldest ids leave first.

export class RecentMessages {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity: number) {}

  /** True if `messageId` was seen within the window; otherwise remembers it and returns false. */
  seen(messageId: string): boolean {
    if (this.capacity === 0) return false;
    if (this.ids.has(messageId)) return true;
    this.ids.add(messageId);
    if (this.ids.size > this.capacity) {
      // A Set iterates in insertion order, so the first entry is the oldest.
      const oldest = this.ids.values().next().value as string;
      this.ids.delete(oldest);
    }
    return false;
  }

  /** Forgets an id again (its transaction was not committed). */
  forget(messageId: string): void {
    this.ids.delete(messageId);
  }

  clear(): void {
    this.ids.clear();
  }

  get size(): number {
    return this.ids.size;
  }
}
