// Starting and stopping the pipeline's services as child processes, each logging to its own file.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface ServiceProcess { name: string; child: ChildProcess; logFile: string; port: number }

/** Starts `entry` with tsx; `nodeFlags` are passed to node (e.g. --cpu-prof, which NODE_OPTIONS does not accept). */
export function startService(name: string, entry: string, env: Record<string, string>, logDir: string, port: number, nodeFlags: string[] = []): ServiceProcess {
  mkdirSync(logDir, { recursive: true });
  const logFile = `${logDir}/${name}.log`;
  const out = createWriteStream(logFile, { flags: 'a' });
  // e.g. TESSERA_SERVICE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the services.
  const extra = (process.env.TESSERA_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...extra, ...nodeFlags, '--import', 'tsx', entry], {
    cwd: root,
    env: { ...process.env, ...env, TESSERA_HTTP_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  return { name, child, logFile, port };
}

/** SIGTERM, then SIGKILL if it has not exited in `graceMs`. */
export function stopService(s: ServiceProcess, graceMs = 20_000): Promise<number | null> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return Promise.resolve(s.child.exitCode);
  return new Promise((resolve) => {
    const t = setTimeout(() => s.child.kill('SIGKILL'), graceMs);
    s.child.once('exit', (code) => { clearTimeout(t); resolve(code); });
    s.child.kill('SIGTERM');
  });
}

/** Reads one Prometheus sample (sum over label sets matching `labels`) from a service's /metrics. */
export async function metric(port: number, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const l = m[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

export async function waitReady(s: ServiceProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (s.child.exitCode !== null) throw new Error(`${s.name} exited with code ${s.child.exitCode}; see ${s.logFile}`);
    try {
      if ((await fetch(`http://127.0.0.1:${s.port}/readyz`)).ok) return;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`${s.name} not ready after ${timeoutMs} ms; see ${s.logFile}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
