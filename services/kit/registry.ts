// Confluent wire format over a Confluent-compatible schema registry: register, encode, decode.
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { avroType, readSchema } from './avro.ts';
import { TesseraError } from './errors.ts';

const MAGIC = 0;
const RULE = 'BACKWARD';
/** Levels that keep data written with a new schema readable by consumers on the previous one. */
const KEEPS_BACKWARD = new Set(['BACKWARD', 'BACKWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE']);

export type Decoded<T> =
  | { ok: true; value: T; schemaId: number }
  | { ok: false; code: 'TSR_DLQ_WIRE_FORMAT' | 'TSR_DLQ_UNKNOWN_SCHEMA' | 'TSR_DLQ_AVRO_DECODE'; reason: string };

export class AvroCodec {
  private readonly registry: SchemaRegistry;
  private readonly writers = new Map<number, Promise<avro.Type>>();
  private readonly resolvers = new Map<string, object>();

  constructor(private readonly url: string) {
    // Retries are ours (see isRetriable): a registry outage pauses consumption instead of failing records.
    this.registry = new SchemaRegistry({ host: url, retry: { retries: 2, initialRetryTimeInSecs: 0.2 } });
  }

  /** Registers schemas/avro/<name>.avsc under `subject` (idempotent) and returns its id. */
  async register(name: string, subject: string): Promise<number> {
    try {
      const level = await this.ensureCompatibility(subject);
      // The library checks the subject's level against `compatibility` before registering; it is set by now.
      const { id } = await this.registry.register({ type: SchemaType.AVRO, schema: readSchema(name) }, { subject, compatibility: level as COMPATIBILITY, updateConfig: false });
      return id;
    } catch (err) {
      if (err instanceof TesseraError) throw err;
      throw registryFault(err, `registering ${name} under subject ${subject}`);
    }
  }

  /**
   * Gives a subject the BACKWARD rule before its first schema goes in, and returns the level it has.
   *
   * Why not the library's own sequence (read the rule; on 404 register, then set the rule): Apicurio's ccompat API
   * answers a subject that exists without a rule of its own with the global level (NONE), not 404 as Confluent does.
   * A service reading the rule between another service's register and its rule update saw NONE and failed with
   * "Compatibility does not match the configuration (BACKWARD != NONE)"; one that died in that window left the
   * subject at NONE for good. Setting the rule first (allowed on a subject with no schema yet) closes the window,
   * and NONE is treated as unset since it cannot be told apart from it. Two services setting it at once: the loser
   * gets 409 ("rule already exists") and reads it again.
   */
  private async ensureCompatibility(subject: string): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const level = await this.compatibilityOf(subject);
      if (level !== null && KEEPS_BACKWARD.has(level)) return level;
      if (level !== null && level !== 'NONE') {
        throw new TesseraError('TSR_ERR_REGISTRY_REJECTED',
          `subject ${subject} has compatibility ${level}, which does not keep new schemas readable for old consumers; set it to BACKWARD (or FULL, or a transitive variant)`);
      }
      const res = await fetch(this.configUrl(subject), {
        method: 'PUT', headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify({ compatibility: RULE }),
      });
      if (res.ok) return RULE;
      if (res.status === 409 && attempt < 3) continue;
      throw httpFault(res.status, await res.text(), `setting compatibility ${RULE} on subject ${subject}`);
    }
  }

  /** The subject's compatibility level, or null when the subject has neither a rule nor a schema. */
  private async compatibilityOf(subject: string): Promise<string | null> {
    const res = await fetch(this.configUrl(subject));
    if (res.status === 404) return null;
    const body = await res.text();
    if (!res.ok) throw httpFault(res.status, body, `reading the compatibility of subject ${subject}`);
    return String((JSON.parse(body) as { compatibilityLevel?: string }).compatibilityLevel ?? 'NONE').toUpperCase();
  }

  private configUrl(subject: string): string {
    return `${this.url.replace(/\/+$/, '')}/config/${encodeURIComponent(subject)}`;
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

function httpFault(status: number, body: string, doing: string): TesseraError {
  return registryFault(Object.assign(new Error(`HTTP ${status}: ${body.slice(0, 300)}`), { status }), doing);
}
