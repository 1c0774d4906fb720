// The identity tables the API answers from: the compacted profiles and identity.identifiers topics, applied record
// by record (the latest record per key wins, as compaction keeps it), and lookups that follow merges (pure).
import type { IdentityIdentifierRecord, LinkedIdentifierRecord, ProfileRecord } from '../kit/records.ts';

export interface ProfileEntry {
  profileId: string;
  state: 'active' | 'merged';
  mergedInto: string | null;
  identifiers: readonly LinkedIdentifierRecord[];
  firstSeen: number;
  lastSeen: number;
}

/** Where one identifier stands: its profile now (null = unlinked) and the event that put it there. */
export interface IdentifierEntry { profileId: string | null; messageId: string; eventTime: number }

export type Resolution =
  | { ok: true; profile: ProfileEntry; followed: string[] }
  | { ok: false; code: 'TSR_API_UNKNOWN_IDENTIFIER' | 'TSR_API_UNLINKED_IDENTIFIER' | 'TSR_API_UNKNOWN_PROFILE' | 'TSR_API_NOT_READY'; message: string; identifier?: IdentifierEntry };

/** A chain of merges longer than this is a cycle or corrupt data, never a real history. */
const MAX_HOPS = 64;

/** Identifier types are few: one string each, shared by every linked identifier of that type. */
const TYPES = new Map<string, string>();
const internType = (t: string): string => {
  let v = TYPES.get(t);
  if (v === undefined) { v = t; TYPES.set(t, v); }
  return v;
};

export class IdentityTables {
  /**
   * type:value → its profile id while linked (the profile entry holds the linking event), or the entry of an
   * identifier that left every profile. Most identifiers are linked: a string each instead of an object saves about a
   * hundred bytes per identifier.
   */
  private readonly identifiers = new Map<string, string | IdentifierEntry>();
  private readonly profiles = new Map<string, ProfileEntry>();
  private merged = 0;

  /** Applies one identity.identifiers record (key type:value); a null value removes the identifier. */
  applyIdentifier(key: string, value: IdentityIdentifierRecord | null): void {
    if (value === null) {
      this.identifiers.delete(key);
      return;
    }
    if (value.profileId === null) {
      this.identifiers.set(key, { profileId: null, messageId: value.messageId, eventTime: Number(value.eventTime) });
      return;
    }
    // Share the profile id string with the profile entry when it is there: a million identifiers, a few hundred
    // thousand profiles.
    this.identifiers.set(key, this.profiles.get(value.profileId)?.profileId ?? value.profileId);
  }

  /** Applies one profiles record (key profile id); a null value (tombstone) removes the profile. */
  applyProfile(key: string, value: ProfileRecord | null): void {
    const before = this.profiles.get(key);
    if (before?.state === 'merged') this.merged -= 1;
    if (value === null) {
      this.profiles.delete(key);
      return;
    }
    // Identifiers linked by one event share its messageId: one string per event in the record.
    const events = new Map<string, string>();
    const event = (m: string): string => {
      let v = events.get(m);
      if (v === undefined) { v = m; events.set(m, v); }
      return v;
    };
    const entry: ProfileEntry = {
      profileId: before?.profileId ?? value.profileId,
      state: value.state,
      mergedInto: value.mergedInto,
      identifiers: value.identifiers.map((l) => ({ type: internType(l.type), value: l.value, messageId: event(l.messageId), eventTime: Number(l.eventTime) })),
      firstSeen: Number(value.firstSeen),
      lastSeen: Number(value.lastSeen),
    };
    if (entry.state === 'merged') this.merged += 1;
    this.profiles.set(key, entry);
  }

  /** The current profile of an identifier (identity.identifiers key), following merges the table has not caught up with. */
  byIdentifier(key: string): Resolution {
    const e = this.identifiers.get(key);
    if (e === undefined) return { ok: false, code: 'TSR_API_UNKNOWN_IDENTIFIER', message: `no event carried ${key}` };
    if (typeof e !== 'string') {
      return {
        ok: false, code: 'TSR_API_UNLINKED_IDENTIFIER', identifier: e,
        message: `${key} belongs to no profile now (a contested shared device or an erasure); event ${e.messageId} at ${new Date(e.eventTime).toISOString()} unlinked it`,
      };
    }
    const r = this.follow(e);
    if (!r.ok) {
      // The identifier table and the profiles table are read as two topics: one may be a few records ahead.
      return { ok: false, code: 'TSR_API_NOT_READY', message: `${key} belongs to ${e}, which the profiles table does not hold yet; retry` };
    }
    return { ok: true, profile: r.profile, followed: r.followed };
  }

  /** The current profile of a profile id, following merged-away ids to their survivor. */
  byProfileId(profileId: string): Resolution {
    const r = this.follow(profileId);
    if (!r.ok) return { ok: false, code: 'TSR_API_UNKNOWN_PROFILE', message: r.message };
    return { ok: true, profile: r.profile, followed: r.followed };
  }

  /** Where an identifier stands: its profile now, and the event that linked it there (or unlinked it). */
  identifier(key: string): IdentifierEntry | undefined {
    const e = this.identifiers.get(key);
    if (typeof e !== 'string') return e;
    // The profile entry holds the linking event; it may lag the identifier table by a few records.
    const linked = this.profiles.get(e)?.identifiers.find((l) => `${l.type}:${l.value}` === key);
    return { profileId: e, messageId: linked?.messageId ?? '', eventTime: linked?.eventTime ?? 0 };
  }

  stats(): { identifiers: number; profiles: number; mergedProfiles: number } {
    return { identifiers: this.identifiers.size, profiles: this.profiles.size - this.merged, mergedProfiles: this.merged };
  }

  private follow(profileId: string): { ok: true; profile: ProfileEntry; followed: string[] } | { ok: false; message: string } {
    const followed: string[] = [];
    let id = profileId;
    for (let hop = 0; hop <= MAX_HOPS; hop++) {
      const p = this.profiles.get(id);
      if (p === undefined) {
        return { ok: false, message: followed.length === 0 ? `no profile ${profileId}` : `${profileId} was merged into ${id}, which no longer exists` };
      }
      if (p.state === 'active') return { ok: true, profile: p, followed };
      if (p.mergedInto === null) return { ok: false, message: `profile ${id} is merged without a survivor` };
      followed.push(id);
      id = p.mergedInto;
    }
    return { ok: false, message: `profile ${profileId}: more than ${MAX_HOPS} merges to follow (a cycle)` };
  }
}
