// What the deployment files refer to exists: the service list covers every service, the variables they set are read
// by the service, the compiled entries start with the compose environment, every probe path answers, and every
// metric the dashboard and the alerts query is in the services' /metrics.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopService, waitReady, type ServiceProcess } from '../../services/demo/processes.ts';
import { INSTALL_TIMEOUT_MS, installTools, repoRoot } from '../clients/tools.ts';
import { freePort, isolatedStack, type IsolatedStack } from '../support/stack.ts';
import {
  buildInputsHash, chartDir, composeFile, containersOf, deployDir, envOfService, exposedMetrics, interpolate, k8sObjects,
  mainEntries, notDeployed, parsePromql, promqlExpressions, serviceList, sourceOf, type ServiceEntry,
} from './manifests.ts';

const run = promisify(execFile);
interface ScrapeConfig { static_configs?: { targets: string[] }[]; dns_sd_configs?: { names: string[]; port: number }[] }
const home = process.env.TESSERA_HOME ?? `${process.env.HOME}/.cache/tessera`;
// Series Prometheus makes itself for every target; they are in no /metrics.
const SCRAPE_SERIES = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);

let s: IsolatedStack;
let rendered: ReturnType<typeof k8sObjects>;
const started = new Map<string, ServiceProcess>();
const exposition = new Map<string, string>();

/** The image's build stage, run here: tsc with infra/deploy/tsconfig.build.json, cached by a hash of its inputs. */
function compiledBuild(): string {
  const dir = join(home, 'tools', `build-${buildInputsHash()}`);
  if (existsSync(join(dir, '.complete'))) return dir;
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  execFileSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'infra/deploy/tsconfig.build.json', '--outDir', tmp], { cwd: repoRoot, stdio: 'inherit' });
  // The runtime stage's layout: compiled services beside schemas/ and package.json ("type": "module").
  cpSync(join(repoRoot, 'schemas'), join(tmp, 'schemas'), { recursive: true });
  cpSync(join(repoRoot, 'package.json'), join(tmp, 'package.json'));
  // Files a service reads at run time besides its code: the profile API's explorer page and OpenAPI document.
  for (const asset of ['services/profile-api/explorer', 'services/profile-api/openapi.json']) cpSync(join(repoRoot, asset), join(tmp, asset), { recursive: true });
  symlinkSync(join(repoRoot, 'node_modules'), join(tmp, 'node_modules'));
  execFileSync('touch', [join(tmp, '.complete')]);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return dir;
}

/** The compose environment of a Tessera container, pointed at this test's slice of the local stack. */
function composeEnv(container: string): Record<string, string> {
  const c = composeFile().services[container]!;
  const env = Object.fromEntries(Object.entries(c.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), {})]));
  const local = { ...s.env, TESSERA_CLICKHOUSE_USER: 'default', TESSERA_CLICKHOUSE_PASSWORD: '' };
  for (const k of Object.keys(local)) if (k in env || k === 'TESSERA_PARTITIONS') env[k] = local[k as keyof typeof local]!;
  return env;
}

/** Starts a listed service as the image does (node <entry>, no TypeScript loader) on a free port. */
async function startCompiled(build: string, svc: ServiceEntry, container: string): Promise<ServiceProcess> {
  const port = await freePort();
  const logDir = join(home, 'stack', 'logs', `test-${s.id}`);
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${container}.log`);
  const out = createWriteStream(logFile, { flags: 'a' });
  const child: ChildProcess = spawn(process.execPath, [svc.entry], {
    cwd: build,
    env: { PATH: process.env.PATH, ...composeEnv(container), [svc.portEnv]: String(port), [svc.hostEnv]: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  return { name: container, child, logFile, port };
}

beforeAll(async () => {
  const tools = installTools('helm');
  const build = compiledBuild();
  s = await isolatedStack('deployrefs');
  rendered = k8sObjects(execFileSync(tools.helm!, ['template', 'tessera', chartDir, '--set', 'secrets.values.TESSERA_COLLECTOR_WRITE_KEYS=k:web'], { encoding: 'utf8' }));
  for (const svc of serviceList()) started.set(svc.name, await startCompiled(build, svc, svc.name));
  for (const [name, p] of started) {
    await waitReady(p, 90_000);
    exposition.set(name, await (await fetch(`http://127.0.0.1:${p.port}/metrics`)).text());
  }
}, INSTALL_TIMEOUT_MS);
afterAll(async () => {
  for (const p of started.values()) await stopService(p, 10_000);
  await s?.close();
});

describe('the service list (deploy/helm/tessera/values.yaml `services`)', () => {
  it('names every service entry point in services/, each compiled into the image', () => {
    const listed = serviceList().map((x) => sourceOf(x.entry)).sort();
    expect(listed).toEqual(mainEntries().filter((e) => !(e in notDeployed)).sort());
    for (const svc of serviceList()) expect(existsSync(join(repoRoot, sourceOf(svc.entry))), svc.entry).toBe(true);
  });

  it('compose runs each listed service with its entry (a graph owner with a standby), and no other Tessera container', () => {
    const compose = composeFile().services;
    const tessera = Object.entries(compose).filter(([, c]) => c.labels?.['dev.tessera.service']);
    expect(new Set(tessera.map(([, c]) => c.labels!['dev.tessera.service']))).toEqual(new Set(serviceList().map((x) => x.name)));
    for (const svc of serviceList()) {
      const containers = tessera.filter(([, c]) => c.labels!['dev.tessera.service'] === svc.name);
      for (const [name, c] of containers) {
        expect(c.command, name).toEqual([svc.entry]);
        expect(String(c.environment?.[svc.portEnv] ?? ''), `${name} ${svc.portEnv}`).toBe(String(svc.port));
      }
      if (svc.role === 'graph-owner') {
        const instances = containers.map(([, c]) => c.environment?.[svc.instanceEnv!]);
        expect(new Set(instances).size, `${svc.name}: owner and standby need distinct ${svc.instanceEnv}`).toBeGreaterThanOrEqual(2);
      }
    }
  });

  it('the chart renders one workload per listed service: graph owners as StatefulSets, the rest as Deployments', () => {
    for (const svc of serviceList()) {
      const w = rendered.find((o) => ['Deployment', 'StatefulSet'].includes(o.kind) && o.metadata.labels?.['app.kubernetes.io/component'] === svc.name);
      expect(w?.kind, svc.name).toBe(svc.role === 'graph-owner' ? 'StatefulSet' : 'Deployment');
      expect((w!.spec as { replicas: number }).replicas).toBe(svc.replicas);
      expect(containersOf(w!)[0]!.args).toEqual([svc.entry]);
    }
  });

  it('Prometheus scrapes every Tessera container of the compose file on its port', () => {
    // Static targets, and DNS names (a compose service of several replicas resolves to each of them) with their port.
    const scrape = (parseYaml(readFileSync(join(deployDir, 'prometheus/prometheus.yml'), 'utf8')) as { scrape_configs: ScrapeConfig[] }).scrape_configs;
    const targets = scrape.flatMap((c) => [
      ...(c.static_configs ?? []).flatMap((sc) => sc.targets),
      ...(c.dns_sd_configs ?? []).flatMap((d) => d.names.map((n) => `${n}:${d.port}`)),
    ]).sort();
    const byName = new Map(serviceList().map((x) => [x.name, x]));
    const expected = Object.entries(composeFile().services).filter(([, c]) => c.labels?.['dev.tessera.service'])
      .map(([name, c]) => `${name}:${byName.get(c.labels!['dev.tessera.service']!)!.port}`).sort();
    expect(targets).toEqual(expected);
  });
});

describe('environment variables', () => {
  it('every variable the compose file sets on a Tessera container is one its service reads', () => {
    for (const [name, c] of Object.entries(composeFile().services)) {
      const svc = c.labels?.['dev.tessera.service'];
      if (!svc) continue;
      const reads = envOfService(svc);
      const unknown = Object.keys(c.environment ?? {}).filter((k) => !reads.has(k));
      expect(unknown, `compose service ${name} sets variables ${svc} does not read`).toEqual([]);
    }
  });

  it('every variable the chart sets (workloads and the migration job) is one the service reads', () => {
    const workloads = rendered.filter((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind));
    expect(workloads.length).toBe(serviceList().length + 1);
    for (const w of workloads) {
      const component = w.metadata.labels!['app.kubernetes.io/component']!;
      const reads = envOfService(component);
      expect(reads.size, `${component} declares no variables`).toBeGreaterThan(5);
      for (const c of containersOf(w)) {
        const unknown = (c.env ?? []).map((e) => e.name).filter((k) => !reads.has(k));
        expect(unknown, `${w.kind} ${w.metadata.name} sets variables ${component} does not read`).toEqual([]);
      }
    }
  });

  it('the checker itself tells a variable a service reads from one it does not', () => {
    expect(envOfService('link').has('TESSERA_LINK_INSTANCE')).toBe(true);
    expect(envOfService('link').has('TESSERA_KAFKA_BROKERS')).toBe(true); // spread from services/kit/config.ts
    expect(envOfService('collector').has('TESSERA_HTTP_PORT')).toBe(false); // the collector serves on its own port
    expect(envOfService('warehouse-writer').has('TESSERA_LINK_INSTANCE')).toBe(false);
  });
});

describe('running the compiled entries with the compose environment', () => {
  it('every probe path of the chart and /metrics answer 200 on every service', async () => {
    const paths = new Set(rendered.flatMap(containersOf).flatMap((c) => [c.startupProbe, c.livenessProbe, c.readinessProbe])
      .filter((p) => p !== undefined).map((p) => p.httpGet.path));
    expect([...paths].sort()).toEqual(['/healthz', '/readyz']);
    for (const [name, p] of started) {
      for (const path of [...paths, '/metrics']) expect((await fetch(`http://127.0.0.1:${p.port}${path}`)).status, `${name} ${path}`).toBe(200);
    }
  });

  it("the image's HEALTHCHECK script finds each service's /healthz, and fails when nothing answers", async () => {
    const script = join(deployDir, 'docker/healthcheck.mjs');
    const unused = String(await freePort());
    for (const svc of serviceList()) {
      const port = String(started.get(svc.name)!.port);
      const env = { PATH: process.env.PATH, TESSERA_COLLECTOR_PORT: unused, TESSERA_API_PORT: unused, TESSERA_HTTP_PORT: unused, [svc.portEnv]: port };
      await expect(run(process.execPath, [script], { env }), svc.name).resolves.toBeDefined();
    }
    await expect(run(process.execPath, [script], { env: { PATH: process.env.PATH, TESSERA_COLLECTOR_PORT: unused, TESSERA_API_PORT: unused, TESSERA_HTTP_PORT: unused } })).rejects.toThrow();
  });

  it('every metric the dashboard and the alerts query is exposed by a service', () => {
    const exposed = new Set([...exposition.values()].flatMap((text) => [...exposedMetrics(text)]));
    expect(exposed.size).toBeGreaterThan(50);
    const missing = promqlExpressions().flatMap(({ where, expr }) => parsePromql(expr).metrics
      .filter((m) => !exposed.has(m) && !SCRAPE_SERIES.has(m)).map((m) => `${m} (${where})`));
    expect(missing).toEqual([]);
  });
});
