import { createRequire } from 'node:module';
import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { EXPECTED_KAFKA_CONDITIONS, kafkaLogLevel } from './kafka.ts';

const kafkaErrors = (createRequire(import.meta.url)('kafkajs/src/protocol/error.js') as { errorCodes: { type: string; message: string }[] }).errorCodes;

// Entries as kafkajs 2.2.4 writes them (taken from the services' logs).
const concurrent = 'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing';

describe('kafkaLogLevel: the bridge from kafkajs to pino', () => {
  it.each([
    ['a concurrent transaction (Connection response)', logLevel.ERROR, { message: 'Response AddPartitionsToTxn(key: 24, version: 1)', error: concurrent }, 'debug'],
    ['a concurrent transaction (Producer retry)', logLevel.ERROR, { message: `Failed to send messages: ${concurrent}` }, 'debug'],
    ['a concurrent transaction at InitProducerId', logLevel.ERROR, { message: 'Response InitProducerId(key: 22, version: 1)', error: concurrent }, 'debug'],
    ['the coordinator loading', logLevel.ERROR, { message: 'Response FindCoordinator(key: 10, version: 2)', error: "The coordinator is loading and hence can't process requests for this group" }, 'info'],
    ['a rebalance in progress', logLevel.ERROR, { message: 'Response Heartbeat(key: 12, version: 3)', error: 'The group is rebalancing, so a rejoin is needed' }, 'info'],
    ['a rebalance, seen by the runner at WARN', logLevel.WARN, { message: 'The group is rebalancing, re-joining', error: 'The group is rebalancing, so a rejoin is needed' }, 'info'],
    ['a leader election after topic creation', logLevel.ERROR, { message: 'Response Metadata(key: 3, version: 6)', error: 'There is no leader for this topic-partition as we are in the middle of a leadership election' }, 'info'],
    ['an expired member that rejoins', logLevel.ERROR, { message: 'The coordinator is not aware of this member, re-joining the group', error: 'The coordinator is not aware of this member' }, 'warn'],
    ['a missing topic stays an error', logLevel.ERROR, { message: 'Response Metadata(key: 3, version: 6)', error: 'This server does not host this topic-partition' }, 'error'],
    ['a fenced producer stays an error', logLevel.ERROR, { message: 'Response AddOffsetsToTxn(key: 25, version: 1)', error: "Producer attempted an operation with an old epoch. Either there is a newer producer with the same transactionalId, or the producer's transaction has been expired by the broker" }, 'error'],
    ['a connection failure stays an error', logLevel.ERROR, { message: 'Connection error: connect ECONNREFUSED 127.0.0.1:9092' }, 'error'],
    ['a message too large stays an error', logLevel.ERROR, { message: 'Response Produce(key: 0, version: 7)', error: 'The request included a message larger than the max message size the server will accept' }, 'error'],
    ['kafkajs warnings stay warnings', logLevel.WARN, { message: 'Consumer group received unsubscribed topics' }, 'warn'],
    ['info stays info', logLevel.INFO, { message: 'Consumer has joined the group' }, 'info'],
    ['debug stays debug, even for an expected condition', logLevel.DEBUG, { message: 'Response Heartbeat(key: 12, version: 3)', error: 'The group is rebalancing, so a rejoin is needed' }, 'debug'],
  ] as const)('%s → %s', (_what, level, log, expected) => {
    expect(kafkaLogLevel(level, log)).toBe(expected);
  });

  it.each(Object.entries(EXPECTED_KAFKA_CONDITIONS))('%s: kafkajs has this condition, and its message is logged at %s', (type, level) => {
    const known = kafkaErrors.find((e) => e.type === type);
    expect(known, `kafkajs has no error type ${type}`).toBeDefined();
    expect(kafkaLogLevel(logLevel.ERROR, { message: 'Response X(key: 0, version: 0)', error: known!.message })).toBe(level);
  });
});
