// The deployment files, validated offline by the tools made for each (no container engine runs here):
// hadolint (Dockerfile), the compose-spec schema, helm lint + the Kubernetes schemas, promtool, PromQL's grammar.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { INSTALL_TIMEOUT_MS, installTools, repoRoot } from '../clients/tools.ts';
import { chartDir, deployDir, k8sObjects, parsePromql, promqlExpressions } from './manifests.ts';

const run = promisify(execFile);
let tools: Record<string, string>;
beforeAll(() => { tools = installTools('python', 'helm', 'promtool'); }, INSTALL_TIMEOUT_MS);

/** Runs a validator; resolves with its output, or rejects with what it printed when it exits non-zero. */
async function check(cmd: string, args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd: repoRoot, timeout: 120_000 });
    return stdout + stderr;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? e.message}`, { cause: err });
  }
}

const writeKeys = ['--set', 'secrets.values.TESSERA_COLLECTOR_WRITE_KEYS=key1:web'];

describe('container image', () => {
  it('infra/deploy/Dockerfile passes hadolint', async () => {
    await check(tools.hadolint!, ['infra/deploy/Dockerfile']);
  });
  it('runs as a non-root user, checks /healthz and has one entry per service (node <entry>)', () => {
    const df = readFileSync(join(deployDir, 'Dockerfile'), 'utf8');
    expect(df.match(/^FROM /gm)!.length).toBeGreaterThan(1); // multi-stage
    expect(df).toMatch(/^USER 10001:10001$/m);
    expect(df).toMatch(/^HEALTHCHECK .*healthcheck\.mjs/m);
    expect(df).toMatch(/^ENTRYPOINT \["node"\]$/m);
    expect(readFileSync(join(deployDir, 'docker/healthcheck.mjs'), 'utf8')).toContain('/healthz');
  });
});

describe('compose file', () => {
  it('validates against the compose-spec schema', async () => {
    expect(await check(tools['check-jsonschema']!, ['--builtin-schema', 'vendor.compose-spec', 'infra/deploy/compose.yaml'])).toContain('ok');
  });
});

describe('Helm chart', () => {
  it('passes helm lint --strict', async () => {
    await check(tools.helm!, ['lint', '--strict', chartDir, ...writeKeys]);
  });
  it('renders objects that validate strictly against the Kubernetes schemas', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-helm-'));
    const rendered = await check(tools.helm!, ['template', 'tessera', chartDir, ...writeKeys]);
    writeFileSync(join(dir, 'rendered.yaml'), rendered);
    const kinds = k8sObjects(rendered).map((o) => o.kind).sort();
    expect(kinds).toEqual(expect.arrayContaining(['Deployment', 'Job', 'PodDisruptionBudget', 'Secret', 'Service', 'StatefulSet']));
    const out = await check(tools['kubernetes-validate']!, ['--strict', join(dir, 'rendered.yaml')]);
    expect(out.match(/passed for resource/g)!.length).toBe(kinds.length);
  });
  it('refuses to render without write keys or an existing Secret', async () => {
    await expect(check(tools.helm!, ['template', 'tessera', chartDir])).rejects.toThrow(/TESSERA_COLLECTOR_WRITE_KEYS is required/);
    const withOwnSecret = await check(tools.helm!, ['template', 'tessera', chartDir, '--set', 'secrets.existingSecret=mine']);
    expect(k8sObjects(withOwnSecret).filter((o) => o.kind === 'Secret')).toEqual([]);
  });
});

describe('Prometheus and Grafana', () => {
  it('promtool accepts the scrape configuration and the alert rules', async () => {
    await check(tools.promtool!, ['check', 'config', 'infra/deploy/prometheus/prometheus.yml']);
    expect(await check(tools.promtool!, ['check', 'rules', 'infra/deploy/prometheus/alerts.yml'])).toMatch(/SUCCESS: \d+ rules found/);
  });
  it('every dashboard and alert expression parses with the PromQL grammar', () => {
    const exprs = promqlExpressions();
    expect(exprs.length).toBeGreaterThan(20);
    for (const { where, expr } of exprs) expect(parsePromql(expr).errors, `${where}: ${expr}`).toEqual([]);
  });
  it('the dashboard uses the provisioned data source and unique panel ids', () => {
    const dashboard = JSON.parse(readFileSync(join(deployDir, 'grafana/dashboards/tessera.json'), 'utf8')) as { panels: { id: number; datasource?: { uid: string } }[] };
    const source = readFileSync(join(deployDir, 'grafana/provisioning/datasources/prometheus.yaml'), 'utf8');
    const uid = /uid: (\S+)/.exec(source)![1];
    for (const p of dashboard.panels) if (p.datasource) expect(p.datasource.uid).toBe(uid);
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
  });
});
