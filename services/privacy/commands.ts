// The command lines of `tessera forget` and `tessera export` (the one parser: services/tools/cli.ts).
import type { CommandSpec } from '../tools/cli.ts';

const env = 'Environment: TESSERA_KAFKA_BROKERS, TESSERA_REGISTRY_URL, TESSERA_TOPIC_PREFIX, TESSERA_CLICKHOUSE_URL / _DATABASE, TESSERA_PRIVACY_HASH_KEY.';

export const forgetCommand = {
  name: 'forget',
  args: 'TYPE:VALUE',
  positionals: { min: 1, max: 1 },
  summary: 'Erases an identifier (docs/privacy.md): writes an erasure request to privacy.requests and waits for its answer.\n'
    + 'Exit code: 0 erased, 3 refused (unknown, already erased, duplicate, invalid), 4 still pending after --timeout, 2 bad invocation.',
  options: {
    by: { type: 'string', value: 'WHO', help: 'who asks, for the audit (default: $USER)' },
    'request-id': { type: 'string', value: 'ID', help: 'the request id (default: a new UUID); sending one again is answered as a duplicate' },
    timeout: { type: 'string', value: 'SECONDS', default: '120', help: 'how long to wait for the answer (default 120); the request stays pending after' },
  },
  notes: ['Example: tessera forget email:ana@acme.io --by dpo@shop.example', env],
} as const satisfies CommandSpec;

export const exportCommand = {
  name: 'export',
  args: 'TYPE:VALUE',
  positionals: { min: 1, max: 1 },
  summary: 'Subject access export (docs/privacy.md): everything held about the person an identifier belongs to, as JSON.\n'
    + 'Exit code: 0 exported, 3 nothing is held about it, 2 bad invocation.',
  options: {
    by: { type: 'string', value: 'WHO', help: 'who asks, for the audit (default: $USER)' },
  },
  notes: ['Example: tessera export email:ana@acme.io > ana.json', env],
} as const satisfies CommandSpec;
