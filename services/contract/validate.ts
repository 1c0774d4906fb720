// Checks a decoded touchpoint beyond what Avro enforces; a failure is data (→ DLQ), never an exception.
// The limits are those of limits.ts, which the collector's and the importer's normaliser enforce too.
import type { Touchpoint } from './touchpoint.ts';
import { callName, hasIdentifier, messageIdProblem, missingFields, present, timestampProblem } from './limits.ts';

export type Validation = { ok: true } | { ok: false; code: 'TSR_DLQ_INVALID'; reason: string };

export function validateTouchpoint(t: Touchpoint): Validation {
  const problems: string[] = [];
  const messageId = messageIdProblem(t.messageId);
  if (messageId) problems.push(`messageId ${messageId}`);
  const time = timestampProblem(t.timestamp);
  if (time) problems.push(`timestamp ${t.timestamp} ${time}`);
  for (const [field, what] of missingFields(t)) problems.push(`${field}: missing: ${callName(t.type)} needs ${what}`);
  if (!hasIdentifier(t)) problems.push('no identifier: needs userId, anonymousId, an email/phone trait, a device id or an externalId');
  if (!present(t.source)) problems.push('source is empty');
  return problems.length === 0 ? { ok: true } : { ok: false, code: 'TSR_DLQ_INVALID', reason: problems.join('; ') };
}
