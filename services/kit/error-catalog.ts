// The one catalog of Tessera's error codes: what each means, whether retrying can help, and how HTTP answers it.
// Every `TSR_…` code in the services is declared here (a test holds the sources and docs/errors.md to it).

export interface ErrorSpec {
  /** Whether the same input can succeed later (infrastructure) or never will (the input itself). */
  readonly retriable: boolean;
  /** The HTTP status an API answers with, for codes an API can return. */
  readonly status?: number;
  /** What the code means and what to do, for an operator or a client developer. */
  readonly meaning: string;
}

const CATALOG = {
  // Collector answers (HTTP).
  TSR_COLLECT_INVALID_EVENT: { retriable: false, status: 400, meaning: 'a call breaks the Segment spec or a Tessera limit; the problems list says which field' },
  TSR_COLLECT_INVALID_BATCH: { retriable: false, status: 400, meaning: 'the /v1/batch body is not a batch, or none of its calls is valid' },
  TSR_COLLECT_BAD_JSON: { retriable: false, status: 400, meaning: 'the body is not JSON' },
  TSR_COLLECT_BAD_BODY: { retriable: false, status: 400, meaning: 'the body cannot be read (bad gzip, truncated)' },
  TSR_COLLECT_ENCODING: { retriable: false, status: 415, meaning: 'unsupported Content-Encoding (gzip and identity are supported)' },
  TSR_COLLECT_UNAUTHORIZED: { retriable: false, status: 401, meaning: 'no write key, or an unknown one' },
  TSR_COLLECT_NOT_FOUND: { retriable: false, status: 404, meaning: 'no such endpoint' },
  TSR_COLLECT_METHOD: { retriable: false, status: 405, meaning: 'only POST (and OPTIONS for CORS) is allowed' },
  TSR_COLLECT_EVENT_TOO_LARGE: { retriable: false, status: 413, meaning: 'one call is over the per-call size limit' },
  TSR_COLLECT_BATCH_TOO_LARGE: { retriable: false, status: 413, meaning: 'the request body is over the batch size limit' },
  TSR_COLLECT_KAFKA_UNAVAILABLE: { retriable: true, status: 503, meaning: 'Kafka is not connected or not acknowledging; retry after Retry-After' },
  TSR_COLLECT_PRODUCE_TIMEOUT: { retriable: true, status: 503, meaning: 'Kafka did not acknowledge in time; the retry is deduplicated by messageId' },
  TSR_COLLECT_PRODUCE_FAILED: { retriable: true, status: 503, meaning: 'Kafka refused the produce; retry later' },
  TSR_COLLECT_OVERLOADED: { retriable: true, status: 503, meaning: 'too many bytes wait for Kafka; retry after Retry-After' },
  TSR_COLLECT_INTERNAL: { retriable: true, status: 500, meaning: 'a bug in the collector; it is logged with the request' },
  // Profile API answers (HTTP).
  TSR_API_UNAUTHORIZED: { retriable: false, status: 401, meaning: 'no access token, or an unknown one: send Authorization: Bearer <token> (or basic auth with the token as the user name)' },
  TSR_API_FORBIDDEN: { retriable: false, status: 403, meaning: 'the token is valid but lacks the scope the route needs (admin routes need an admin token)' },
  TSR_API_BAD_IDENTIFIER: { retriable: false, status: 400, meaning: 'the path holds neither TYPE:VALUE nor a profile id' },
  TSR_API_BAD_TYPE: { retriable: false, status: 400, meaning: 'the identifier type is empty, longer than 64 characters or unreadable (types are read as the core reads externalIds types: user_id, email, phone, crm_id, …)' },
  TSR_API_INVALID_IDENTIFIER: { retriable: false, status: 400, meaning: 'the value links to no profile: the core drops it (invalid email or phone, too long) or the identity rules block it (a placeholder); the reason says which' },
  TSR_API_UNKNOWN_IDENTIFIER: { retriable: false, status: 404, meaning: 'no event carried this identifier (after normalisation)' },
  TSR_API_UNLINKED_IDENTIFIER: { retriable: false, status: 404, meaning: 'the identifier is known but belongs to no profile now (a contested shared device, an erasure); the answer names the event' },
  TSR_API_UNKNOWN_PROFILE: { retriable: false, status: 404, meaning: 'no profile has this id, and no merged-away profile points to a current one' },
  TSR_API_BAD_QUERY: { retriable: false, status: 400, meaning: 'a query parameter is invalid (limit, next cursor, start/end, sort, include); the message says which' },
  TSR_API_BAD_REQUEST: { retriable: false, status: 400, meaning: 'the request cannot be read as HTTP: its target is not a path (/…) or a URL, or its line or headers are malformed' },
  TSR_API_REQUEST_TOO_LARGE: { retriable: false, status: 431, meaning: 'the request line and headers exceed the server\'s limit (16 KiB): shorten the query (include lists, cursors)' },
  TSR_API_NOT_FOUND: { retriable: false, status: 404, meaning: 'no such route (or a Segment route Tessera does not serve, such as account collections)' },
  TSR_API_METHOD: { retriable: false, status: 405, meaning: 'the route does not take this method; the Allow header lists those it does (read routes: GET and HEAD)' },
  TSR_API_NOT_READY: { retriable: true, status: 503, meaning: 'the service is still reading the identity tables, or they have not caught up with each other; retry after Retry-After' },
  TSR_API_WAREHOUSE_UNAVAILABLE: { retriable: true, status: 503, meaning: 'ClickHouse did not answer a bounded query in time; retry after Retry-After' },
  TSR_API_INTERNAL: { retriable: true, status: 500, meaning: 'a bug in the profile API; it is logged with the request id' },
  TSR_API_PRIVACY_UNAVAILABLE: { retriable: true, status: 503, meaning: 'an erasure or export cannot be made now: Kafka or ClickHouse did not answer, or the API has no privacy key (TESSERA_PRIVACY_HASH_KEY / _FILE); the message says which' },
  // Dead-letter codes: a record a stage could not use (the DLQ record carries its bytes and this code).
  TSR_DLQ_WIRE_FORMAT: { retriable: false, meaning: 'not in the Confluent wire format (magic byte 0 + 4-byte schema id)' },
  TSR_DLQ_UNKNOWN_SCHEMA: { retriable: false, meaning: 'the schema id is not in the registry' },
  TSR_DLQ_AVRO_DECODE: { retriable: false, meaning: 'the Avro payload does not decode with its schema into the expected record' },
  TSR_DLQ_INVALID: { retriable: false, meaning: 'a touchpoint fails validation (messageId, timestamp, required fields, no identifier)' },
  TSR_DLQ_INVALID_RECORD: { retriable: false, meaning: 'a record the warehouse writer cannot map to rows' },
  TSR_DLQ_INVALID_CLAIM: { retriable: false, meaning: 'a claim record breaks the claims contract: no identifier, or a key that is not the claim key of its identifiers' },
  TSR_DLQ_CONSENT_NO_SUBJECT: { retriable: false, meaning: 'a consent update (Segment Consent Preference Updated) whose identifiers were all dropped: no profile to record the consent on' },
  TSR_DLQ_UNLINKED_CLAIM: { retriable: true, meaning: 'the resolved-event stage parked a touchpoint for its claim and the link stage did not link the claim in time (park full or wait over); the record names the touchpoint\'s offset to re-read once the link stage has caught up' },
  TSR_DLQ_PROCESSING_FAILED: { retriable: false, meaning: 'processing the record threw (a bug, or an input the code cannot handle); the reason holds the error, the stream went on' },
  // Service faults (thrown; retriable ones pause and retry, the others stop the start-up with the message).
  TSR_ERR_CONFIG: { retriable: false, meaning: 'the environment is invalid; the message lists every problem' },
  TSR_ERR_REGISTRY_UNAVAILABLE: { retriable: true, meaning: 'the schema registry cannot be reached' },
  TSR_ERR_REGISTRY_REJECTED: { retriable: false, meaning: 'the schema registry refused a schema (incompatible change)' },
  TSR_ERR_MIGRATION_CHANGED: { retriable: false, meaning: 'an applied ClickHouse migration file was changed; add a new migration instead' },
  TSR_ERR_MIGRATION_FAILED: { retriable: false, meaning: 'a ClickHouse migration statement failed' },
  TSR_ERR_PII_KEY_CHANGED: { retriable: false, meaning: 'the configured PII key is not the key the analysts\' database is fed with; configure that key again, or change keys as docs/privacy.md says' },
  TSR_ERR_CHANGELOG_CORRUPT: { retriable: false, meaning: 'a changelog record does not decode; the graph owner will not start from a state it cannot trust' },
  TSR_ERR_TXN_TIMEOUT: { retriable: true, meaning: 'a Kafka transaction commit did not return in time; the producer is replaced and the session starts over' },
  TSR_ERR_POISON_RECORD: { retriable: false, meaning: 'processing one record threw after the stage state may have changed: the state is rebuilt and the record goes to the DLQ on the replay' },
  TSR_ERR_STAGE_TRANSITION: { retriable: false, meaning: 'the stage runner tried a state move its state machine forbids: a bug in the runner' },
  TSR_ERR_STAGE_STATE: { retriable: false, meaning: 'records reached a processor before its state was restored: a bug in the runner' },
  // Privacy requests (docs/privacy.md): the answers to erasure and export requests (CLI exit codes, admin API statuses).
  TSR_PRIVACY_BAD_REQUEST: { retriable: false, status: 400, meaning: 'a privacy request is malformed: not TYPE:VALUE, an empty part, an unknown kind or a missing request id' },
  TSR_PRIVACY_INVALID_IDENTIFIER: { retriable: false, status: 400, meaning: 'the identifier cannot be normalised (an invalid email or phone, too long); nothing was changed' },
  TSR_PRIVACY_UNKNOWN_IDENTIFIER: { retriable: false, status: 404, meaning: 'no claim of the identity graph holds the identifier; nothing was changed (check the spelling and type)' },
  TSR_PRIVACY_ALREADY_ERASED: { retriable: false, status: 409, meaning: 'the identifier was erased by an earlier request; it stays suppressed and nothing else was changed' },
  TSR_PRIVACY_DUPLICATE_REQUEST: { retriable: false, status: 409, meaning: 'a request with this id was already applied (a replayed request); the first answer stands' },
  TSR_PRIVACY_PENDING: { retriable: true, status: 503, meaning: 'the request is durable but not done yet (a stage is down or catching up); it completes when they run, ask again later' },
  // Importer.
  TSR_IMPORT_UNKNOWN_COLUMNS: { retriable: false, meaning: 'the mapping names a column the file lacks' },
  TSR_IMPORT_BAD_HEADER: { retriable: false, meaning: 'the CSV header row cannot be read (an unclosed quote, a row over the size limit); fix the file' },
  TSR_IMPORT_PRODUCE_FAILED: { retriable: true, meaning: 'Kafka refused rows of the import; rerun it (rows are deduplicated by messageId)' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof CATALOG;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(CATALOG, code);
}

/** The catalog entry of a code. */
export function errorSpec(code: ErrorCode): ErrorSpec {
  return CATALOG[code];
}

/** Every code with its entry, in catalog order (for docs and tests). */
export function catalogEntries(): Array<[ErrorCode, ErrorSpec]> {
  return Object.entries(CATALOG) as Array<[ErrorCode, ErrorSpec]>;
}
