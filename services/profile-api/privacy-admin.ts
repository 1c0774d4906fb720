// The profile API's way to the privacy requests (docs/privacy.md): an erasure through services/privacy/submit.ts (the
// request on privacy.requests, answered on privacy.audit), an export as `tessera export` makes it. I/O at the edge.
import type { Kafka } from 'kafkajs';
import type { ClickHouseClient } from '../kit/clickhouse.ts';
import type { Logger } from '../kit/log.ts';
import type { AvroCodec } from '../kit/registry.ts';
import type { Topics } from '../kit/topics.ts';
import type { Identifier } from '../identity/index.ts';
import { runExport } from '../privacy/export-run.ts';
import type { SubjectExport } from '../privacy/export.ts';
import { newRequest, submit, type Answer } from '../privacy/submit.ts';

export interface PrivacyAdmin {
  /** Submits an erasure and waits up to the configured time for its final answer (else it is still pending, durably). */
  erase(id: Identifier, requestedBy: string, requestId?: string): Promise<Answer>;
  export(id: Identifier, requestedBy: string): Promise<{ requestId: string; found: boolean } & SubjectExport>;
}

export function privacyAdmin(o: {
  kafka: Kafka; codec: AvroCodec; topics: Topics; ch: ClickHouseClient; database: string; log: Logger;
  /** The privacy key (the audit's hash of an export), or why there is none: exports are refused then, erasures are not. */
  key: { ok: true; key: Buffer } | { ok: false; problem: string };
  timeoutMs: number;
}): PrivacyAdmin {
  return {
    erase: (id, by, requestId) => submit({ kafka: o.kafka, codec: o.codec, topics: o.topics, log: o.log, timeoutMs: o.timeoutMs }, newRequest('erase', id.type, id.value, by, requestId)),
    export: async (id, by) => {
      if (!o.key.ok) throw new Error(`no privacy key: ${o.key.problem}`);
      return runExport({ kafka: o.kafka, codec: o.codec, topics: o.topics, ch: o.ch, database: o.database, key: o.key.key }, id, by);
    },
  };
}
