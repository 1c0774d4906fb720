// The stage runner's states and the only moves between them, named (as kafkajs names its transaction states).
import { TesseraError } from '../errors.ts';

/**
 * starting   connecting, registering schemas, joining the group
 * restoring  rebuilding the processor's state (a changelog read, an empty cache) before consuming
 * running    consuming and processing; also a standby that owns no partition
 * committing making what was processed durable together with its offsets
 * failed     a session ended on an error; a new one starts after the retry policy's delay
 * stopped    stopped on purpose; final
 */
export type StageState = 'starting' | 'restoring' | 'running' | 'committing' | 'failed' | 'stopped';

const MOVES: Record<StageState, readonly StageState[]> = {
  starting: ['restoring', 'running', 'failed', 'stopped'],
  restoring: ['running', 'failed', 'stopped'],
  // A new assignment can invalidate the state (a standby taking over): running → restoring.
  running: ['committing', 'restoring', 'failed', 'stopped'],
  committing: ['running', 'failed', 'stopped'],
  failed: ['starting', 'stopped'],
  stopped: [],
};

export function canMove(from: StageState, to: StageState): boolean {
  return MOVES[from].includes(to);
}

export interface Transition { from: StageState; to: StageState; reason: string; at: number }

/** The current state and why; an illegal move is a bug in the runner and throws. */
export class StageMachine {
  private current: StageState = 'starting';
  private why = 'starting';
  private readonly listeners: ((t: Transition) => void)[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  get state(): StageState { return this.current; }
  get reason(): string { return this.why; }

  onMove(listener: (t: Transition) => void): void {
    this.listeners.push(listener);
  }

  to(next: StageState, reason: string): void {
    if (next === this.current) { this.why = reason; return; }
    if (!canMove(this.current, next)) {
      throw new TesseraError('TSR_ERR_STAGE_TRANSITION', `stage cannot move from ${this.current} to ${next} (${reason}); this is a bug in the runner`);
    }
    const t: Transition = { from: this.current, to: next, reason, at: this.now() };
    this.current = next;
    this.why = reason;
    for (const l of this.listeners) l(t);
  }
}
