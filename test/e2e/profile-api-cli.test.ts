// The profile API as an operator and a demo user start it: `tessera profile-api` from any directory (help, refused
// arguments, a missing token list named before anything listens, ready on the real stack, SIGTERM → exit 0), and the
// demo's explorer address, whose token opens the API.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoApi } from '../../services/demo/profile-api.ts';
import { stopService } from '../../services/demo/processes.ts';
import { eventually } from '../support/published.ts';
import { freePort, isolatedStack, type IsolatedStack } from '../support/stack.ts';

const tessera = fileURLToPath(new URL('../../bin/tessera', import.meta.url));
const cwd = mkdtempSync(join(tmpdir(), 'tessera-api-cli-'));
let s: IsolatedStack;

interface Run { code: number; stdout: string; stderr: string }
function sh(script: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', script], { cwd, env: { ...process.env, ...s.env, TESSERA_LOG_LEVEL: 'warn', ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => { s = await isolatedStack('apicli'); });
afterAll(async () => { await s?.close(); });

describe('tessera profile-api', () => {
  it('is listed in the help; --help names its documentation; an argument is refused (exit 2)', async () => {
    expect((await sh(`${tessera} help`)).stdout).toContain('  profile-api ');
    expect(await sh(`${tessera} profile-api --help`)).toMatchObject({ code: 0, stdout: expect.stringContaining('docs/profile-api.md') });
    const bad = await sh(`${tessera} profile-api --port 8090`);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe("tessera profile-api: unexpected argument '--port'");
  });

  it('without access tokens, stops at start-up naming the variable (exit 2, as every service with a bad environment)', async () => {
    const r = await sh(`env -u TESSERA_API_TOKENS ${tessera} profile-api`, { TESSERA_API_PORT: String(await freePort()) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TESSERA_API_TOKENS: required');
  });

  it('serves from any directory until SIGTERM, then exits 0', async () => {
    const port = await freePort();
    const child = spawn(tessera, ['profile-api'], { cwd, stdio: 'ignore', env: {
      ...process.env, ...s.env, TESSERA_LOG_LEVEL: 'warn', TESSERA_API_PORT: String(port), TESSERA_API_TOKENS: 'cli-read-token-0123456789:read',
    } });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await eventually(() => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0), (st) => st === 200, 'the API to be ready', 60_000);
      const unknown = await fetch(`http://127.0.0.1:${port}/v1/profiles/${encodeURIComponent('email:nobody@acme.io')}`, { headers: { authorization: 'Bearer cli-read-token-0123456789' } });
      expect([unknown.status, ((await unknown.json()) as { error: { tessera_code: string } }).error.tessera_code]).toEqual([404, 'TSR_API_UNKNOWN_IDENTIFIER']);
      expect((await fetch(`http://127.0.0.1:${port}/explorer/`)).headers.get('content-type')).toContain('text/html');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});

describe('the demo\'s profile API', () => {
  it('prints an explorer address whose token opens the API', async () => {
    const api = await startDemoApi(s.env, join(cwd, 'logs'));
    try {
      const url = new URL(api.explorerUrl);
      expect(url.pathname).toBe('/explorer/');
      const token = new URLSearchParams(url.hash.slice(1)).get('token')!;
      expect((await fetch(new URL('/explorer/', url))).status).toBe(200);
      expect((await fetch(new URL('/v1/overview', url), { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      expect((await fetch(new URL('/v1/overview', url), { headers: { authorization: 'Bearer not-the-demo-token-0123' } })).status).toBe(401);
    } finally {
      expect(await stopService(api.service, 10_000)).toBe(0);
    }
  });
});
