// The resolved event's encoding without re-encoding its touchpoint: an Avro record is the concatenation of its
// fields' encodings, so the touchpoint's bytes as they arrived (written with the same schema) can be reused.
import avro from 'avsc';
import { readSchema } from './avro.ts';

let tail: avro.Type | null = null;

/** Every field of the resolved event after the touchpoint, as one record type. */
function tailType(): avro.Type {
  if (!tail) {
    const schema = JSON.parse(readSchema('resolved-event')) as { fields: { name: string }[] };
    if (schema.fields[0]?.name !== 'touchpoint') throw new Error('resolved-event.avsc must start with the touchpoint field');
    tail = avro.Type.forSchema({ type: 'record', name: 'ResolvedEventTail', namespace: 'dev.tessera', fields: schema.fields.slice(1) } as avro.Schema);
  }
  return tail;
}

/**
 * Wire-format resolved event from the touchpoint's Avro body (without its 5-byte header, written with the
 * registered touchpoint schema) and the remaining fields of the record.
 */
export function spliceResolved(schemaId: number, touchpointBody: Buffer, rest: object): Buffer {
  const restBytes = tailType().toBuffer(rest);
  const out = Buffer.allocUnsafe(5 + touchpointBody.length + restBytes.length);
  out.writeUInt8(0, 0);
  out.writeInt32BE(schemaId, 1);
  touchpointBody.copy(out, 5);
  restBytes.copy(out, 5 + touchpointBody.length);
  return out;
}
