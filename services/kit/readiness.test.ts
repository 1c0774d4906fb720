import { describe, expect, it } from 'vitest';
import { StageReadiness } from './readiness.ts';

function stage() {
  let t = 1_000_000;
  const r = new StageReadiness({ stallMs: 10_000, runningReason: 'resolving', now: () => t });
  return { r, advance: (ms: number) => { t += ms; } };
}

describe('StageReadiness', () => {
  it.each([
    ['starting', false],
    ['restoring', false],
    ['restarting', false],
    ['stopped', false],
    ['standby', true],
    ['running', true],
  ] as const)('in phase %s ready is %s, with the reason given', (phase, ready) => {
    const { r } = stage();
    r.enter(phase, `because ${phase}`);
    expect(r.readiness()).toEqual({ ready, reason: phase === 'running' ? 'resolving' : `because ${phase}` });
  });

  it('running but no answer from Kafka for longer than the stall time: not ready until it answers again', () => {
    const { r, advance } = stage();
    r.enter('running');
    advance(9_000);
    expect(r.readiness().ready).toBe(true);
    advance(2_000);
    expect(r.readiness()).toEqual({ ready: false, reason: 'no answer from Kafka for 11 s (fetches and heartbeats failing)' });
    r.contact();
    expect(r.readiness().ready).toBe(true);
  });

  it('records waiting and no commit for longer than the stall time: stuck, even while fetches answer', () => {
    const { r, advance } = stage();
    r.enter('running');
    r.measured(100n);
    for (let i = 0; i < 11; i += 1) { advance(1_000); r.contact(); r.measured(100n); }
    expect(r.readiness()).toEqual({ ready: false, reason: 'stuck: 100 records waiting and nothing committed for 11 s' });
    r.progress();
    expect(r.readiness().ready).toBe(true);
  });

  it('steady progress with records always waiting (a busy stage) stays ready', () => {
    const { r, advance } = stage();
    r.enter('running');
    for (let i = 0; i < 60; i += 1) { r.measured(5_000n); advance(1_000); r.progress(); }
    expect(r.readiness().ready).toBe(true);
  });

  it('an idle stage that gets a burst is not stuck: the wait starts at the burst, not at the last commit', () => {
    const { r, advance } = stage();
    r.enter('running');
    r.measured(0n);
    for (let i = 0; i < 60; i += 1) { advance(1_000); r.contact(); }
    r.measured(200n);
    advance(500);
    expect(r.readiness().ready).toBe(true);
  });
});
