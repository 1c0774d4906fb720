// What a stage tells an operator about its health: /readyz from its state, Kafka contact and progress
// (kit/readiness.ts), and the consumer lag of this member's partitions measured from outside the loop (kit/lag.ts).
import type { Kafka } from 'kafkajs';
import { LagMonitor } from '../lag.ts';
import type { Logger } from '../log.ts';
import type { Ops } from '../ops.ts';
import { StageReadiness } from '../readiness.ts';
import type { StageMetrics } from './metrics.ts';
import type { StageState } from './state.ts';

export class StageHealth {
  private readonly readiness: StageReadiness;
  private readonly lags: LagMonitor[];
  private assignment: Record<string, number[]> = {};
  private readonly waiting = new Map<string, bigint>();
  private fault: string | null = null;

  constructor(o: { kafka: Kafka; groupId: string; topics: string[]; log: Logger; ops: Ops; metrics: StageMetrics; stallMs: number; now: () => number }) {
    this.readiness = new StageReadiness({ stallMs: o.stallMs, runningReason: 'running', now: o.now });
    o.ops.readinessFrom(() => (this.fault !== null && this.readiness.current === 'running' ? { ready: false, reason: this.fault } : this.readiness.readiness()));
    this.lags = o.topics.map((topic) => new LagMonitor({
      kafka: o.kafka, groupId: o.groupId, topic, log: o.log,
      intervalMs: Math.max(500, Math.min(5_000, Math.floor(o.stallMs / 3))),
      // The group's lag on this member's partitions only: another member's backlog is not this one being stuck.
      onLag: (lag) => {
        let total = 0n;
        const mine = this.assignment[topic] ?? [];
        for (const [partition, n] of lag) {
          const labels = { topic, partition: String(partition) };
          if (!mine.includes(partition)) { o.metrics.lag.remove(labels); continue; }
          o.metrics.lag.set(labels, Number(n));
          total += n;
        }
        this.waiting.set(topic, total);
        this.readiness.measured([...this.waiting.values()].reduce((x, y) => x + y, 0n));
      },
      onFailure: () => o.metrics.lag.reset(), // unknown, not a stale number
    }));
  }

  start(): void { for (const l of this.lags) l.start(); }

  async stop(): Promise<void> { for (const l of this.lags) await l.stop(); }

  /** The partitions this member holds now ({} between sessions). */
  assigned(assignment: Record<string, number[]>): void { this.assignment = assignment; }

  /** Kafka answered: a fetch, a heartbeat, a join, an offset commit. */
  contact(): void { this.readiness.contact(); }

  /** A commit made progress; it clears a fault the delivery reported. */
  progress(): void { this.fault = null; this.readiness.progress(); }

  /** A fault the delivery rides out while running (a sink refusing writes), or null once it is over. */
  problem(reason: string | null): void { this.fault = reason; }

  /** What /readyz says in each state: committing is still running; a member without partitions stands by. */
  entered(state: StageState, reason: string, owns: boolean): void {
    switch (state) {
      case 'committing': return;
      case 'running':
        if (owns) this.readiness.enter('running');
        else this.readiness.enter('standby', 'standby: another instance owns the input');
        return;
      case 'failed': this.readiness.enter('restarting', `failed, retrying: ${reason}`); return;
      case 'starting': this.readiness.enter('starting', `starting: ${reason}`); return;
      case 'restoring': this.readiness.enter('restoring', `restoring: ${reason}`); return;
      case 'stopped': this.readiness.enter('stopped', 'stopped'); return;
    }
  }
}
