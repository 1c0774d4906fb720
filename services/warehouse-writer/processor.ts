// The warehouse writer's pure processor: decoded input records → rows per table; records that cannot be mapped → DLQ;
// touchpoints that are unreadable or invalid → counted, not written (the extract stage dead-letters them); erased
// identifiers left out (docs/privacy.md). No I/O.
import type { IdentityConfig } from '../identity/index.ts';
import type { DeadLetterNote, Outcome, Processor } from '../kit/stage/types.ts';
import { scrubIdentityRows } from '../privacy/scrub.ts';
import type { SuppressionList } from '../privacy/suppression.ts';
import type { WriterInput } from './decode.ts';
import { touchpointRows, type Skipped } from './event-rows.ts';
import {
  claimRows, identifierRows, identityChangeRows, profileRows, type Mapped, type SourcePosition, type TableRows,
} from './rows.ts';

/** What one record gives the sink: its rows, or the code a touchpoint was not written for. */
export type WriterOutput = { rows: TableRows } | { skipped: string };

/** No state: what ClickHouse already holds is the sink's to know (writer.ts), not the processor's. */
export type WriterState = Record<string, never>;

export interface RowContext {
  /** The identity rules of the extract stage: the same rules give the same identifiers and claim keys. */
  identity: IdentityConfig;
  /**
   * Erased identifiers (services/privacy/scrub.ts): neither their raw values nor events attributable only to them are
   * written. Kept current by the stage (it follows the suppressions topic); none when absent.
   */
  suppression?: SuppressionList;
}

/** One decoded record → its rows (or why not), without what names an erased identifier. */
export function rowsOf(ctx: RowContext, input: WriterInput, at: SourcePosition): Mapped | Skipped {
  if (input.kind === 'touchpoints') return touchpointRows(input.value, ctx.identity, at, ctx.suppression);
  // The link stage tombstones an identifier only when it is erased: the privacy service deletes its rows, and a row
  // for the tombstone would put the raw value (the key) back.
  if (input.kind === 'identifiers' && input.value === null && ctx.suppression !== undefined) return { ok: true, rows: {} };
  const mapped = linkRowsOf(input, at);
  if (!mapped.ok || ctx.suppression === undefined) return mapped;
  return { ok: true, rows: scrubIdentityRows(mapped.rows, ctx.suppression) };
}

function linkRowsOf(input: Exclude<WriterInput, { kind: 'touchpoints' }>, at: SourcePosition): Mapped | Skipped {
  switch (input.kind) {
    case 'unreadable-touchpoint': return { ok: false, skipped: true, code: input.code, reason: input.reason };
    case 'merges': return identityChangeRows(input.value, at);
    case 'profiles': return profileRows(input.key, input.value, input.version, at);
    case 'identifiers': return identifierRows(input.key, input.value, input.version, at);
    case 'claims': return claimRows(input.key, input.value, input.version, at);
  }
}

export function writerProcessor(ctx: RowContext): Processor<WriterState, WriterInput, WriterOutput> {
  return {
    process(_state, records): Outcome<WriterOutput> {
      const outputs: WriterOutput[] = [];
      const deadLetters: DeadLetterNote[] = [];
      for (const r of records) {
        const m = rowsOf(ctx, r.value, r);
        if (m.ok) outputs.push({ rows: m.rows });
        else if ('skipped' in m) outputs.push({ skipped: m.code });
        else deadLetters.push({ source: r, code: m.code, reason: m.reason });
      }
      return { outputs, deadLetters, tally: {} };
    },
  };
}
