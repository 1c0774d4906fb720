// The local-stack scripts' probes and start.sh's "leave running servers alone" paths, run in bash against a
// scratch stack folder: crafted logs, pid files and stand-in servers; the shared stack is never touched.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Run { code: number; stdout: string; stderr: string }

/** Runs `script` in bash with the scratch stack's environment; resolves with its exit code and output. */
function bash(script: string, env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', script], { env: { ...process.env, ...env }, timeout: 150_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

const listen = (srv: Server | ReturnType<typeof createTcpServer>): Promise<number> => new Promise((resolve) => {
  srv.listen(0, '127.0.0.1', () => resolve((srv.address() as { port: number }).port));
});

/** A process whose command line carries `marker`, as the real server's does (a pid the scripts will call ours). */
const standIn = (marker: string): ChildProcess => spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', marker], { stdio: 'ignore' });

const home = mkdtempSync(join(tmpdir(), 'tessera-stack-'));
const stackDir = join(home, 'stack');
const logs = join(stackDir, 'logs');
const run = join(stackDir, 'run');
mkdirSync(logs, { recursive: true });
mkdirSync(run, { recursive: true });
const kafkaLog = join(logs, 'kafka.log');
const probes = '. infra/local/env.sh; . infra/local/probes.sh';
// Several MB after the line grep looks for: grep stops reading long before tail has written everything.
const filler = `${'[2026-11-30 10:00:00,000] INFO some broker chatter that fills the log (kafka.server.Something)\n'.repeat(40_000)}`;

let kafkaPort = 0;
let tcp: ReturnType<typeof createTcpServer>;
let http: Server;
let httpPort = 0;
const children: ChildProcess[] = [];
let env: Record<string, string>;

beforeAll(async () => {
  tcp = createTcpServer((sock) => sock.destroy());
  kafkaPort = await listen(tcp);
  // Answers as ClickHouse's /ping and the registry's subjects list do.
  http = createServer((req, res) => { res.end(req.url === '/ping' ? 'Ok.' : '[]'); });
  httpPort = await listen(http);
  env = {
    TESSERA_HOME: home, TESSERA_STACK_DIR: stackDir, TESSERA_LOG_DIR: logs, KAFKA_PORT: String(kafkaPort),
    TESSERA_KAFKA_BROKERS: '', TESSERA_REGISTRY_URL: '', TESSERA_CLICKHOUSE_URL: '',
  };
});

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  http.closeAllConnections();
  await new Promise((r) => http.close(r));
  await new Promise((r) => tcp.close(r));
});

describe('probes.sh under set -euo pipefail', () => {
  it('kafka_ready finds the start line of a long log (no SIGPIPE failure when grep stops early)', async () => {
    writeFileSync(kafkaLog, `[x] INFO [KafkaRaftServer nodeId=1] Kafka Server started (kafka.server.KafkaRaftServer)\n${filler}`);
    const r = await bash(`set -euo pipefail; ${probes}; kafka_ready; echo ready`, env);
    expect(r).toMatchObject({ code: 0, stdout: 'ready\n' });
  });

  it("kafka_ready reads only this start's part of the log: an earlier start's line does not count", async () => {
    writeFileSync(kafkaLog, `[x] INFO Kafka Server started (earlier start)\n${filler}`);
    writeFileSync(join(run, 'kafka.logfrom'), '1000');
    expect((await bash(`set -euo pipefail; ${probes}; kafka_ready`, env)).code).toBe(1);
    appendFileSync(kafkaLog, '[y] INFO [KafkaRaftServer nodeId=1] Kafka Server started (kafka.server.KafkaRaftServer)\n');
    expect((await bash(`set -euo pipefail; ${probes}; kafka_ready`, env)).code).toBe(0);
  });

  it('kafka_ready is false while the port is closed, whatever the log says', async () => {
    writeFileSync(kafkaLog, 'Kafka Server started\n');
    writeFileSync(join(run, 'kafka.logfrom'), '1');
    expect((await bash(`set -euo pipefail; ${probes}; kafka_ready`, { ...env, KAFKA_PORT: String(await closedPort()) })).code).toBe(1);
  });

  it('alive accepts a live pid only when its command line is the server started from this stack folder', async () => {
    const ours = standIn(join(stackDir, 'kafka', 'server.properties'));
    const other = standIn('/somewhere/else/server.properties');
    children.push(ours, other);
    writeFileSync(join(run, 'kafka.pid'), String(ours.pid));
    expect((await bash(`set -euo pipefail; ${probes}; alive kafka`, env)).code).toBe(0);
    writeFileSync(join(run, 'kafka.pid'), String(other.pid));
    expect((await bash(`set -euo pipefail; ${probes}; alive kafka`, env)).code).toBe(1);
    writeFileSync(join(run, 'kafka.pid'), '');
    expect((await bash(`set -euo pipefail; ${probes}; alive kafka`, env)).code).toBe(1);
  });
});

describe('start.sh with servers already running', () => {
  it('a running Kafka with a long log is waited for, not restarted (make stack-start while Kafka runs)', async () => {
    const broker = standIn(join(stackDir, 'kafka', 'server.properties'));
    children.push(broker);
    writeFileSync(join(run, 'kafka.pid'), String(broker.pid));
    writeFileSync(kafkaLog, `[x] INFO [KafkaRaftServer nodeId=1] Kafka Server started (kafka.server.KafkaRaftServer)\n${filler}`);
    writeFileSync(join(run, 'kafka.logfrom'), '1');
    const r = await bash('bash infra/local/start.sh kafka', env);
    expect(r.stderr).toContain(`kafka already running (pid ${broker.pid})`);
    expect(r.stderr).toContain('kafka ready');
    expect(r.code).toBe(0);
  });

  it('a registry and a ClickHouse that answer on their ports without a pid file are used as they are', async () => {
    const r = await bash('bash infra/local/start.sh registry clickhouse', { ...env, REGISTRY_PORT: String(httpPort), CLICKHOUSE_HTTP_PORT: String(httpPort) });
    expect(r.stderr).toContain(`registry already answers on port ${httpPort} (not started by these scripts): left as it is`);
    expect(r.stderr).toContain(`clickhouse already answers on port ${httpPort} (not started by these scripts): left as it is`);
    expect(r.stderr).toContain('stack up');
    expect(r.code).toBe(0);
  });

  it('a port held by something that does not answer as the server would is reported, not used', async () => {
    const r = await bash('bash infra/local/start.sh clickhouse', { ...env, CLICKHOUSE_HTTP_PORT: String(kafkaPort) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`port ${kafkaPort} is taken by another process (set CLICKHOUSE_HTTP_PORT)`);
  });
});

async function closedPort(): Promise<number> {
  const s = createTcpServer();
  const port = await listen(s);
  await new Promise((r) => s.close(r));
  return port;
}
