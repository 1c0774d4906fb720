// Coded errors that cross service boundaries: a stable code from the catalog, an actionable message, and whether
// retrying can help (the catalog says).
import { errorSpec, type ErrorCode } from './error-catalog.ts';

export class TesseraError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TesseraError';
    this.code = code;
    this.retriable = errorSpec(code).retriable;
  }
}

/** A configuration problem found at start-up: lists every problem at once. */
export class ConfigError extends TesseraError {
  readonly problems: string[];

  constructor(problems: string[]) {
    super('TSR_ERR_CONFIG', `invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

export function isRetriable(err: unknown): boolean {
  if (err instanceof TesseraError) return err.retriable;
  // kafkajs marks its own errors; network errors from HTTP clients carry errno codes.
  const e = err as { retriable?: unknown; code?: unknown; name?: unknown } | null;
  if (e && typeof e.retriable === 'boolean') return e.retriable;
  const transientCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET']);
  return Boolean(e && typeof e.code === 'string' && transientCodes.has(e.code));
}

export function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
