import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../log.ts';
import { Ops } from '../ops.ts';
import { StageHealth } from './health.ts';
import { stageMetrics } from './metrics.ts';

// Never started: the lag monitors would connect; these checks only need what the runner tells the health.
function health() {
  const ops = new Ops('test');
  const h = new StageHealth({
    kafka: new Kafka({ brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING }), groupId: 'g', topics: ['t'], log: createLogger('test', 'silent'),
    ops, metrics: stageMetrics(ops.metrics, 'test', { tally: {}, gauges: {} }), stallMs: 60_000, now: () => 0,
  });
  return { h, ops };
}

describe('StageHealth: a fault the delivery reports', () => {
  it('makes a running stage not ready with the reason, until the delivery clears it', () => {
    const { h, ops } = health();
    h.entered('running', 'consuming', true);
    expect(ops.ready).toEqual({ ready: true, reason: 'running' });
    h.problem('ClickHouse insert into events failing: connect ECONNREFUSED');
    h.entered('committing', 'committing 500 records', true);
    expect(ops.ready).toEqual({ ready: false, reason: 'ClickHouse insert into events failing: connect ECONNREFUSED' });
    h.problem(null);
    expect(ops.ready.ready).toBe(true);
  });

  it('is cleared by a commit that made progress', () => {
    const { h, ops } = health();
    h.entered('running', 'consuming', true);
    h.problem('failing');
    h.progress();
    expect(ops.ready.ready).toBe(true);
  });

  it('does not hide why a stage that is not running is not ready', () => {
    const { h, ops } = health();
    h.problem('failing');
    h.entered('failed', 'connect ECONNREFUSED', true);
    expect(ops.ready).toEqual({ ready: false, reason: 'failed, retrying: connect ECONNREFUSED' });
  });
});
