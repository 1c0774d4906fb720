// One subject access export, as `tessera export` and the profile API's admin route make it: the request on
// privacy.requests, the document read from ClickHouse, and an audit record (hash only) on privacy.audit.
import type { Kafka } from 'kafkajs';
import { select, type ClickHouseClient } from '../kit/clickhouse.ts';
import type { AvroCodec } from '../kit/registry.ts';
import { str } from '../kit/sql.ts';
import type { Topics } from '../kit/topics.ts';
import type { Identifier } from '../identity/index.ts';
import { exportSubject, type SubjectExport } from './export.ts';
import { newRequest, publishAudit, writeRequest } from './submit.ts';
import { SuppressionList } from './suppression.ts';

export interface ExportRun { kafka: Kafka; codec: AvroCodec; topics: Topics; ch: ClickHouseClient; database: string; key: Buffer }

export async function runExport(o: ExportRun, id: Identifier, requestedBy: string): Promise<{ requestId: string; found: boolean } & SubjectExport> {
  const kit = { kafka: o.kafka, codec: o.codec, topics: o.topics };
  const request = newRequest('export', id.type, id.value, requestedBy);
  await writeRequest(kit, request);
  const db = o.database;
  // Current consent per profile (the consent work's view, migration 035), when the database has it.
  const consent = (await select<{ name: string }>(o.ch, `SELECT name FROM system.tables WHERE database = ${str(db)} AND name = 'profile_consent'`)).length > 0 ? 'profile_consent' : null;
  const doc = await exportSubject(o.ch, db, id, consent);
  const found = doc.profileId !== null || doc.events.length > 0;
  await publishAudit(kit, {
    requestId: request.requestId, kind: 'export', step: 'export', outcome: found ? 'exported' : 'unknown', code: found ? null : 'TSR_PRIVACY_UNKNOWN_IDENTIFIER',
    final: true, hash: new SuppressionList(o.key).hashOf(id), identifierType: id.type, requestedBy, requestedAt: request.requestedAt,
    reason: found ? 'exported' : 'nothing is held about this identifier',
    counts: { identifiers: doc.identifiers.length, traits: doc.traits.length, events: doc.events.length },
  });
  return { requestId: request.requestId, found, ...doc };
}
