// The demo's profile API: started beside the stages with a read token made for this run, so the demo can print an
// explorer address that opens signed in (the token travels in the address's fragment, which never reaches a server).
import { randomBytes } from 'node:crypto';
import { freePort, startService, stopService, waitReady, type ServiceProcess } from './processes.ts';

export interface DemoApi { service: ServiceProcess; explorerUrl: string }

/** Starts the API on a free loopback port and waits until it is ready (its tables restored from the topics). */
export async function startDemoApi(env: Record<string, string>, logDir: string): Promise<DemoApi> {
  const port = await freePort();
  const token = randomBytes(24).toString('base64url');
  const service = startService('profile-api', 'services/profile-api/main.ts',
    { ...env, TESSERA_API_HOST: '127.0.0.1', TESSERA_API_PORT: String(port), TESSERA_API_TOKENS: `${token}:read` }, logDir, port);
  try {
    await waitReady(service);
  } catch (err) {
    await stopService(service);
    throw err;
  }
  return { service, explorerUrl: `http://127.0.0.1:${port}/explorer/#token=${token}` };
}

/** What the demo prints about the explorer at its end: the address, and whether it still answers. */
export function explorerLines(api: DemoApi, kept: boolean): string[] {
  return kept
    ? [`explorer: ${api.explorerUrl}`, 'the services keep running until Ctrl-C']
    : [`explorer: ${api.explorerUrl}`, 'it answers while the demo runs; `make demo DEMO_ARGS=--keep` keeps it (and the stages) up until Ctrl-C'];
}
