// Prometheus metrics of a stage, all from one place: the runner's own counters and the stage's tally and gauges.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { StageState } from './state.ts';
import type { Committed } from './types.ts';

const STATES: StageState[] = ['starting', 'restoring', 'running', 'committing', 'failed', 'stopped'];
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export interface StageMetricSpec {
  /** Tally names (camelCase) → help; each becomes tessera_<stage>_<snake_name>_total, counted at commit. */
  tally: Record<string, string>;
  /** Gauge names → help; read from the state after each commit. */
  gauges: Record<string, string>;
}

export function stageMetrics(registry: Registry, stage: string, spec: StageMetricSpec) {
  const r = [registry];
  const p = `tessera_${stage.replace(/-/g, '_')}_`;
  const m = {
    recordsIn: new Counter({ name: `${p}records_in_total`, help: 'Input records processed and committed', registers: r }),
    recordsOut: new Counter({ name: `${p}records_out_total`, help: 'Records published, by topic', labelNames: ['topic'], registers: r }),
    dlq: new Counter({ name: `${p}dlq_total`, help: 'Input records sent to the DLQ, by reason code', labelNames: ['code'], registers: r }),
    commits: new Counter({ name: `${p}commits_total`, help: 'Commits, by outcome', labelNames: ['outcome'], registers: r }),
    failures: new Counter({ name: `${p}session_failures_total`, help: 'Sessions ended by an error, by kind (fault = infrastructure, poison = a record that throws)', labelNames: ['kind'], registers: r }),
    restores: new Counter({ name: `${p}restores_total`, help: 'State restores', registers: r }),
    commitSeconds: new Histogram({ name: `${p}commit_seconds`, help: 'Time to commit', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: r }),
    lag: new Gauge({ name: `${p}lag`, help: 'Records behind the end of each input partition', labelNames: ['topic', 'partition'], registers: r }),
    state: new Gauge({ name: `${p}state`, help: 'The runner state (1 = current)', labelNames: ['state'], registers: r }),
    tally: Object.fromEntries(Object.entries(spec.tally).map(([k, help]) => [k, new Counter({ name: `${p}${snake(k)}_total`, help, registers: r })])),
    gauges: Object.fromEntries(Object.entries(spec.gauges).map(([k, help]) => [k, new Gauge({ name: `${p}${snake(k)}`, help, registers: r })])),
  };
  for (const s of STATES) m.state.set({ state: s }, s === 'starting' ? 1 : 0);
  return {
    ...m,
    setState(s: StageState): void {
      for (const x of STATES) m.state.set({ state: x }, x === s ? 1 : 0);
    },
    committed(c: Committed): void {
      if (c.offsetsFailed === undefined) m.commits.inc({ outcome: 'committed' });
      m.recordsIn.inc(c.records);
      for (const [topic, n] of c.out) m.recordsOut.inc({ topic }, n);
      for (const [code, n] of c.dlq) m.dlq.inc({ code }, n);
      for (const [k, n] of Object.entries(c.tally)) m.tally[k]?.inc(n);
    },
    readGauges(values: Record<string, number>): void {
      for (const [k, v] of Object.entries(values)) m.gauges[k]?.set(v);
    },
  };
}

export type StageMetrics = ReturnType<typeof stageMetrics>;
