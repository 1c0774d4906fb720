// Confluent wire format over a Confluent-compatible schema registry: register, encode, decode.
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { avroType, readSchema } from './avro.ts';
import { TesseraError } from './errors.ts';

const MAGIC = 0;

export type Decoded<T> =
  | { ok: true; value: T; schemaId: number }
  | { ok: false; code: 'TSR_DLQ_WIRE_FORMAT' | 'TSR_DLQ_UNKNOWN_SCHEMA' | 'TSR_DLQ_AVRO_DECODE'; reason: string };

export class AvroCodec {
  private readonly registry: SchemaRegistry;
  private readonly writers = new Map<number, Promise<avro.Type>>();
  private readonly resolvers = new Map<string, object>();

  constructor(url: string) {
    // Retries are ours (see isRetriable): a registry outage pauses consumption instead of failing records.
    this.registry = new SchemaRegistry({ host: url, retry: { retries: 2, initialRetryTimeInSecs: 0.2 } });
  }

  /** Registers schemas/avro/<name>.avsc under `subject` (idempotent) and returns its id. */
  async register(name: string, subject: string): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        const { id } = await this.registry.register({ type: SchemaType.AVRO, schema: readSchema(name) }, { subject });
        return id;
      } catch (err) {
        // Services starting together race to set a new subject's compatibility rule after registering the schema;
        // the loser gets 409 on /config (Apicurio): the schema is in, and the next attempt finds the rule set.
        const e = err as { status?: number; url?: string };
        if (e.status === 409 && /\/config\//.test(e.url ?? '') && attempt < 3) continue;
        throw registryFault(err, `registering ${name} under subject ${subject}`);
      }
    }
  }

  /** Encodes a value of schemas/avro/<name>.avsc in the Confluent wire format with a registered id. */
  encode(name: string, schemaId: number, value: unknown): Buffer {
    const body = avroType(name).toBuffer(value);
    const out = Buffer.allocUnsafe(5 + body.length);
    out.writeUInt8(MAGIC, 0);
    out.writeInt32BE(schemaId, 1);
    body.copy(out, 5);
    return out;
  }

  /**
   * Decodes a wire-format value into the reader schema `name`, resolving from the writer's schema.
   * Permanent faults (bad bytes, unknown id) are returned as data; a registry outage throws a retriable error.
   */
  async decode<T>(name: string, buf: Buffer | null): Promise<Decoded<T>> {
    if (!buf || buf.length < 5 || buf.readUInt8(0) !== MAGIC) {
      return { ok: false, code: 'TSR_DLQ_WIRE_FORMAT', reason: `not in the Confluent wire format (length ${buf?.length ?? 0}, first byte ${buf?.[0] ?? 'none'}; expected magic byte 0 and a 4-byte schema id)` };
    }
    const schemaId = buf.readInt32BE(1);
    let writer: avro.Type;
    try {
      writer = await this.writerType(schemaId);
    } catch (err) {
      if ((err as { status?: number }).status === 404) {
        return { ok: false, code: 'TSR_DLQ_UNKNOWN_SCHEMA', reason: `schema id ${schemaId} is not in the registry` };
      }
      throw registryFault(err, `fetching schema ${schemaId}`);
    }
    const reader = avroType(name);
    try {
      const resolver = this.resolverFor(name, schemaId, reader, writer);
      const value = reader.fromBuffer(buf.subarray(5), resolver as never) as T;
      return { ok: true, value, schemaId };
    } catch (err) {
      return { ok: false, code: 'TSR_DLQ_AVRO_DECODE', reason: `Avro payload does not decode with schema ${schemaId} into ${name}: ${(err as Error).message}` };
    }
  }

  private writerType(id: number): Promise<avro.Type> {
    let p = this.writers.get(id);
    if (!p) {
      p = this.registry.getSchema(id).then((s) => avro.Type.forSchema(s as unknown as avro.Schema));
      p.catch(() => this.writers.delete(id));
      this.writers.set(id, p);
    }
    return p;
  }

  private resolverFor(name: string, id: number, reader: avro.Type, writer: avro.Type): object {
    const key = `${name}/${id}`;
    let r = this.resolvers.get(key);
    if (!r) {
      r = reader.createResolver(writer);
      this.resolvers.set(key, r);
    }
    return r;
  }
}

function registryFault(err: unknown, doing: string): TesseraError {
  const status = (err as { status?: number }).status;
  const permanent = status === 409 || status === 422;
  return new TesseraError(
    permanent ? 'TSR_ERR_REGISTRY_REJECTED' : 'TSR_ERR_REGISTRY_UNAVAILABLE',
    `schema registry ${permanent ? 'rejected' : 'failed while'} ${doing}: ${(err as Error).message}`,
    { cause: err },
  );
}
