// What /readyz says for a stream stage, computed when asked from facts (its phase, its last answer from Kafka, its
// last committed progress against the records waiting) rather than from the last thing that happened to set a flag.
import type { Readiness } from './ops.ts';

/** The lifecycle of a stage's session, as the runner drives it. */
export type Phase = 'starting' | 'restoring' | 'running' | 'standby' | 'restarting' | 'stopped';

export interface StageReadinessOptions {
  /** How long without an answer from Kafka, or without progress while records wait, before the stage is not ready. */
  stallMs: number;
  /** What a ready, running stage reports (e.g. 'resolving'). */
  runningReason: string;
  now?: () => number;
}

/**
 * Ready only while the stage runs (or stands by for another instance) AND Kafka answered its fetches or heartbeats
 * within `stallMs` AND, when records were measured waiting, a commit made progress within `stallMs` of that.
 * A stage looping on a failure, cut off from Kafka, or fetching but never committing is therefore not ready,
 * with the reason.
 */
export class StageReadiness {
  private phase: Phase = 'starting';
  private reason = 'starting';
  private lastContact: number;
  /** When records were first measured waiting since the last progress; null when none wait or progress was made. */
  private waitingSince: number | null = null;
  private waiting = 0n;
  private readonly now: () => number;

  constructor(private readonly o: StageReadinessOptions) {
    this.now = o.now ?? Date.now;
    this.lastContact = this.now();
  }

  /** Enters a phase; `reason` says why (shown while not ready). Entering 'running' starts the clocks afresh. */
  enter(phase: Phase, reason: string = phase): void {
    this.phase = phase;
    this.reason = reason;
    if (phase === 'running') {
      this.lastContact = this.now();
      this.waitingSince = null;
    }
  }

  get current(): Phase {
    return this.phase;
  }

  /** Kafka answered (a fetch returned, a heartbeat went through). */
  contact(): void {
    this.lastContact = this.now();
  }

  /** Offsets were committed: the stage moved forward. */
  progress(): void {
    this.lastContact = this.now();
    this.waitingSince = null;
  }

  /** A lag measurement: `records` wait in the input (committed offset to log end, all partitions). */
  measured(records: bigint): void {
    this.waiting = records;
    if (records === 0n) this.waitingSince = null;
    else if (this.waitingSince === null) this.waitingSince = this.now();
  }

  readiness(): Readiness {
    if (this.phase === 'standby') return { ready: true, reason: this.reason };
    if (this.phase !== 'running') return { ready: false, reason: this.reason };
    const now = this.now();
    const silent = now - this.lastContact;
    if (silent > this.o.stallMs) {
      return { ready: false, reason: `no answer from Kafka for ${Math.round(silent / 1000)} s (fetches and heartbeats failing)` };
    }
    if (this.waitingSince !== null && now - this.waitingSince > this.o.stallMs) {
      return { ready: false, reason: `stuck: ${this.waiting} records waiting and nothing committed for ${Math.round((now - this.waitingSince) / 1000)} s` };
    }
    return { ready: true, reason: this.o.runningReason };
  }
}
