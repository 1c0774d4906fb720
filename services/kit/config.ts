// Configuration from environment variables, parsed once at start-up into a typed object.
import { z } from 'zod';
import { ConfigError } from './errors.ts';

// Without explicit addresses, services use the local stack, on the ports infra/local was told to use.
const localPort = (name: string, fallback: number) => process.env[name] || String(fallback);

/** Settings every service shares: where the servers are and how topics are named. */
export const commonEnv = {
  TESSERA_KAFKA_BROKERS: z.string().default(`127.0.0.1:${localPort('KAFKA_PORT', 9092)}`)
    .transform((s) => s.split(',').map((b) => b.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'expected host:port')).min(1)),
  TESSERA_KAFKA_CLIENT_ID: z.string().min(1).optional(),
  TESSERA_REGISTRY_URL: z.url().default(`http://127.0.0.1:${localPort('REGISTRY_PORT', 8081)}/apis/ccompat/v7`),
  TESSERA_CLICKHOUSE_URL: z.url().default(`http://127.0.0.1:${localPort('CLICKHOUSE_HTTP_PORT', 8123)}`),
  TESSERA_CLICKHOUSE_USER: z.string().default('default'),
  TESSERA_CLICKHOUSE_PASSWORD: z.string().default(''),
  TESSERA_CLICKHOUSE_DATABASE: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain identifier').default('tessera'),
  TESSERA_TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]*$/, 'only letters, digits, . _ -').default('tessera.'),
  TESSERA_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

export const intFromEnv = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);

/** Parses `env` with the given shape; throws one ConfigError naming every bad variable. */
export function parseEnv<S extends z.ZodRawShape>(shape: S, env: NodeJS.ProcessEnv = process.env): z.infer<z.ZodObject<S>> {
  const relevant: Record<string, string | undefined> = {};
  for (const key of Object.keys(shape)) {
    const v = env[key];
    relevant[key] = v === '' ? undefined : v;
  }
  const result = z.object(shape).safeParse(relevant);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  return result.data;
}

export type CommonConfig = z.infer<z.ZodObject<typeof commonEnv>>;

/** Runs a config parser at start-up; on a ConfigError prints every problem and exits with code 2. */
export function configOrExit<T>(service: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${service}: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

/** Layout of the topics a service creates when they are missing (every service may be the first to start). */
export const topicLayoutEnv = {
  TESSERA_PARTITIONS: intFromEnv(6, 1),
  TESSERA_REPLICATION_FACTOR: intFromEnv(1, 1),
};
