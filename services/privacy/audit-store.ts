// Audit records into ClickHouse (privacy_audit): the same records as the privacy.audit topic, as rows.
import type { ClickHouseClient } from '../kit/clickhouse.ts';
import type { PrivacyAuditRecord } from '../kit/records.ts';
import { ident } from '../kit/sql.ts';

/** The row of an audit record; `version` 1 for a final record, 0 for a step still under way. */
export function auditRow(a: PrivacyAuditRecord): Record<string, unknown> {
  const names = Object.keys(a.counts).sort();
  return {
    request_id: a.requestId, kind: a.kind, step: a.step, outcome: a.outcome, code: a.code ?? '', final: a.final ? 1 : 0,
    id_hash: a.hash ?? '', id_type: a.identifierType ?? '', requested_by: a.requestedBy, requested_at: Math.floor(a.requestedAt / 1000),
    reason: a.reason, count_names: names, count_values: names.map((n) => a.counts[n]), version: a.outcome === 'pending' ? 0 : 1,
  };
}

export async function storeAudit(ch: ClickHouseClient, db: string, records: readonly PrivacyAuditRecord[]): Promise<void> {
  if (records.length === 0) return;
  await ch.insert({ table: `${ident(db)}.privacy_audit`, values: records.map(auditRow), format: 'JSONEachRow' });
}
