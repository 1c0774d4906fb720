// Dead-letter records: the original bytes of a record we could not use, with a stable code and a reason.
import type { DeadLetterRecord } from './records.ts';

export interface Origin { topic: string; partition: number; offset: string; key: Buffer | null; value: Buffer | null }

export function deadLetter(service: string, origin: Origin, code: string, reason: string, failedAt: number): DeadLetterRecord {
  return {
    code, reason, service, failedAt,
    sourceTopic: origin.topic,
    sourcePartition: origin.partition,
    sourceOffset: Number(origin.offset),
    key: origin.key,
    value: origin.value,
  };
}
