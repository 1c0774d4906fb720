// The link stage's two compacted tables as one in-memory join table: claim key → the claim's primary identifier,
// identifier → its current profile. Records apply in any order and any number of times (the highest version wins).
import type { IdentityClaimRecord, IdentityIdentifierRecord } from '../kit/records.ts';


interface Versioned<V> { version: number; value: V }

export class ClaimProfileTable {
  private readonly claims = new Map<string, Versioned<{ type: string; value: string } | null>>();
  private readonly identifiers = new Map<string, Versioned<string | null>>();
  /** Counts the records applied: a join that waits on the table looks again only when it moved. */
  revision = 0;

  /** A record of identity.claims (null: a tombstone, the claim was erased). */
  applyClaim(key: string, r: IdentityClaimRecord | null, version: number = r?.version ?? 0): void {
    if (!newer(this.claims.get(key), version)) return;
    const primary = r && r.primaryType !== null && r.primaryValue !== null ? { type: r.primaryType, value: r.primaryValue } : null;
    this.revision += 1;
    if (r === null) this.claims.delete(key);
    else this.claims.set(key, { version, value: primary });
  }

  /** A record of identity.identifiers, keyed type:value (null: a tombstone). */
  applyIdentifier(key: string, r: IdentityIdentifierRecord | null, version: number = r?.version ?? 0): void {
    if (!newer(this.identifiers.get(key), version)) return;
    this.revision += 1;
    if (r === null) this.identifiers.delete(key);
    else this.identifiers.set(key, { version, value: r.profileId });
  }

  /**
   * Whether the link stage has linked the claim, as far as this table has read: its claim record is here, and so is
   * the record of the identifier it was attributed to (the two topics are read apart: the link stage's transaction
   * holding both may show on one before the other).
   */
  linked(claimKey: string): boolean {
    const c = this.claims.get(claimKey);
    return c !== undefined && (c.value === null || this.identifiers.has(`${c.value.type}:${c.value.value}`));
  }

  /** The identifier's current profile (null: not linked, or not known). */
  profileOf(identifier: string): string | null {
    return this.identifiers.get(identifier)?.value ?? null;
  }

  get size(): { claims: number; identifiers: number } {
    return { claims: this.claims.size, identifiers: this.identifiers.size };
  }
}

// A tombstone carries no version of its own: it is applied with the version it is given (the feed gives +Infinity).
const newer = <V>(held: Versioned<V> | undefined, version: number) => held === undefined || version >= held.version;
