// The profile API on the real pipeline: touchpoints → extract → link, the warehouse writer reading the touchpoints
// beside them, and the API process following the identity tables — on an isolated slice of the stack.
import type { Touchpoint } from '../../services/contract/touchpoint.ts';
import { select } from '../../services/kit/clickhouse.ts';
import { startService, stopService, waitReady, type ServiceProcess } from '../../services/demo/processes.ts';
import { defaultPopulation, generate } from '../../services/loadgen/population.ts';
import { malformedRecords, produceTouchpoints } from '../../services/loadgen/produce.ts';
import { drained, expectedFor } from './claims.ts';
import { eventually } from './published.ts';
import { serviceHarness, type ServiceHarness } from './services.ts';
import { freePort, isolatedStack, type IsolatedStack } from './stack.ts';

export const READ_TOKEN = 'read-token-e2e-0123456789';
export const ADMIN_TOKEN = 'admin-token-e2e-0123456789';

export interface ApiPipeline {
  s: IsolatedStack;
  services: ServiceHarness;
  api: ServiceProcess;
  base: string;
  touchpoints: Touchpoint[];
  truth: Map<string, number>;
  expected: ReturnType<typeof expectedFor>;
  /** Records that are not touchpoints at all, produced beside them (they end in the DLQ). */
  malformed: number;
  /** Restarts the API process (SIGTERM, then a new one on the same port) and waits until it is ready. */
  restartApi(): Promise<void>;
  // The tests read the answers field by field, as a client would; their shapes are checked by the assertions.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  get(path: string, token?: string | null): Promise<{ status: number; headers: Headers; body: any }>;
  close(): Promise<void>;
}

const DAY = 86_400_000;

/**
 * Starts the stages and the API, produces a generated population (events over the last days, so the API's default
 * windows hold them), and waits until the link stage and the warehouse have everything.
 */
export async function apiPipeline(name: string, people: number, seed: number): Promise<ApiPipeline> {
  const s = await isolatedStack(name, { partitions: 3 });
  const services = serviceHarness(s);
  const logDir = `${process.env.TESSERA_HOME ?? `${process.env.HOME}/.cache/tessera`}/stack/logs/test-${s.id}`;
  const port = await freePort();
  const apiEnv = { ...s.env, TESSERA_LOG_LEVEL: 'info', TESSERA_API_PORT: String(port), TESSERA_API_TOKENS: `${READ_TOKEN}:read,${ADMIN_TOKEN}:admin` };
  const startApi = async () => {
    const p = startService('profile-api', 'services/profile-api/main.ts', apiEnv, logDir, port);
    try {
      await waitReady(p);
    } catch (err) {
      await stopService(p, 5_000);
      throw err;
    }
    return p;
  };
  // The API starts first: it follows the tables as the link stage fills them (a restart later shows the restore).
  let api: ServiceProcess | null = null;
  const { touchpoints, truth } = generate({ ...defaultPopulation, people, seed, start: Date.now() - 12 * DAY, days: 10 });
  const expected = expectedFor(touchpoints);
  const malformed = malformedRecords();
  try {
    api = await startApi();
    await services.start('extract');
    await services.start('link');
    await services.start('warehouse-writer');
    await produceTouchpoints({ kafka: s.kafka, codec: s.codec, topic: s.topics.touchpoints, touchpoints, total: touchpoints.length, malformed });
    await drained(s.kafka, `${s.prefix}extract`, s.topics.touchpoints);
    await drained(s.kafka, `${s.prefix}link`, s.topics.claims);
    await eventually(async () => Number((await select<{ n: string }>(s.ch, `SELECT count() AS n FROM ${s.database}.events FINAL`))[0]!.n),
      (n) => n >= expected.valid, `the warehouse to hold ${expected.valid} events`, 180_000);
    // The identity tables reach the warehouse on their own topics: attribution is complete once every profile the core
    // computes, and no other, owns events in events_current.
    const profiles = Object.keys(expected.profiles).sort();
    await eventually(async () => (await select<{ p: string }>(s.ch,
      `SELECT DISTINCT current_profile_id AS p FROM ${s.database}.events_current WHERE current_profile_id != '' ORDER BY p`)).map((r) => r.p),
    (owners) => owners.length === profiles.length && owners.every((o, i) => o === profiles[i]), 'the warehouse to attribute events to the core\'s profiles', 180_000);
  } catch (err) {
    // The caller never gets a handle to close: stop what was started here.
    if (api) await stopService(api, 10_000);
    await services.stopAll();
    await s.close();
    throw err;
  }

  const base = `http://127.0.0.1:${port}`;
  return {
    s, services, get api() { return api!; }, base, touchpoints, truth, expected, malformed: malformed.length,
    async restartApi() {
      await stopService(api!, 10_000);
      api = await startApi();
    },
    async get(path, token = READ_TOKEN) {
      const res = await fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      return { status: res.status, headers: res.headers, body: await res.json() };
    },
    async close() {
      await stopService(api!, 10_000);
      await services.stopAll();
      await s.close();
    },
  };
}
