import { describe, expect, it } from 'vitest';
import { canMove, StageMachine, type StageState } from './state.ts';

const ALL: StageState[] = ['starting', 'restoring', 'running', 'committing', 'failed', 'stopped'];

describe('stage state machine', () => {
  // Every pair, so a move added or removed by mistake shows here.
  const allowed = new Set([
    'starting→restoring', 'starting→running', 'starting→failed', 'starting→stopped',
    'restoring→running', 'restoring→failed', 'restoring→stopped',
    'running→committing', 'running→restoring', 'running→failed', 'running→stopped',
    'committing→running', 'committing→failed', 'committing→stopped',
    'failed→starting', 'failed→stopped',
  ]);
  it.each(ALL.flatMap((from) => ALL.filter((to) => to !== from).map((to) => [from, to] as const)))('%s → %s', (from, to) => {
    expect(canMove(from, to)).toBe(allowed.has(`${from}→${to}`));
  });

  it('walks a session: starting → restoring → running → committing → running → failed → starting → stopped', () => {
    const m = new StageMachine(() => 7);
    const seen: string[] = [];
    m.onMove((t) => seen.push(`${t.from}→${t.to}@${t.at}`));
    for (const s of ['restoring', 'running', 'committing', 'running', 'failed', 'starting', 'stopped'] as const) m.to(s, s);
    expect(seen).toEqual(['starting→restoring@7', 'restoring→running@7', 'running→committing@7', 'committing→running@7',
      'running→failed@7', 'failed→starting@7', 'starting→stopped@7']);
    expect(m.state).toBe('stopped');
  });

  it('refuses an illegal move with a coded error and stays where it was', () => {
    const m = new StageMachine();
    m.to('running', 'joined');
    expect(() => m.to('starting', 'x')).toThrow(expect.objectContaining({ code: 'TSR_ERR_STAGE_TRANSITION' }));
    expect(m.state).toBe('running');
  });

  it('updates the reason without a move when the state stays', () => {
    const m = new StageMachine();
    let moves = 0;
    m.onMove(() => { moves += 1; });
    m.to('starting', 'set-up failed, retrying');
    expect([m.state, m.reason, moves]).toEqual(['starting', 'set-up failed, retrying', 0]);
  });
});
