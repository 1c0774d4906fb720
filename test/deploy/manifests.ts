// Reading the deployment files as the tests check them: the service list, the compose file, the environment each
// service declares, the PromQL of the dashboard and alerts.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parser as promql } from '@prometheus-io/lezer-promql';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { repoRoot } from '../clients/tools.ts';

export const deployDir = join(repoRoot, 'infra', 'deploy');
export const chartDir = join(deployDir, 'helm/tessera');

export type Role = 'http' | 'worker' | 'graph-owner';
export interface ServiceEntry {
  name: string; role: Role; entry: string; replicas: number; port: number;
  portEnv: string; hostEnv: string; instanceEnv?: string; secretEnv: string[]; env: Record<string, string>;
}

/** The one service list: `services` of the chart's values.yaml. */
export function serviceList(): ServiceEntry[] {
  const values = parseYaml(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as { services: Record<string, Omit<ServiceEntry, 'name'>> };
  return Object.entries(values.services).map(([name, s]) => ({ name, ...s, secretEnv: s.secretEnv ?? [], env: s.env ?? {} }));
}

/** Source of a compiled entry: services/x/main.js → services/x/main.ts. */
export const sourceOf = (entry: string) => entry.replace(/\.js$/, '.ts');

/** Stages that consume Kafka (everything but HTTP front doors): what "the pipeline" is for a test. */
export const pipelineStages = () => serviceList().filter((s) => s.role !== 'http');

/** services/<name>/main.ts entries that are not deployed services, with why. */
export const notDeployed: Record<string, string> = {
  // Optional (issue 11): a commented entry in values.yaml deploys it for those who want a per-event stream.
  'services/resolved/main.ts': 'optional resolved-event stage, disabled by default (docs/resolved.md)',
  'services/demo/main.ts': 'the local demo runner, not a service',
  // Completes the erasures the link stage applies to the graph; its deployment (one replica, docs/privacy.md) is still to be written.
  'services/privacy/main.ts': 'privacy service (erasures in ClickHouse, docs/privacy.md), not deployed yet',
};

export function mainEntries(): string[] {
  return readdirSync(join(repoRoot, 'services')).map((d) => `services/${d}/main.ts`).filter((f) => existsSync(join(repoRoot, f)));
}

/**
 * The variables a service reads: the keys of the zod shapes in services/<name>/config.ts, plus those of the shared
 * shapes of services/kit/config.ts that it spreads (`...commonEnv`). Keys are `TESSERA_X: z...` property lines.
 */
export function declaredEnv(configFiles: string[]): Map<string, string> {
  const keys = (text: string) => [...text.matchAll(/^\s*(TESSERA_[A-Z0-9_]+)\s*:/gm)].map((m) => m[1]!);
  const kit = readFileSync(join(repoRoot, 'services/kit/config.ts'), 'utf8');
  const kitShapes = new Map([...kit.matchAll(/export const (\w+) = \{([\s\S]*?)\n\};/g)].map((m) => [m[1]!, keys(m[2]!)]));
  const out = new Map<string, string>();
  for (const file of configFiles) {
    const text = readFileSync(join(repoRoot, file), 'utf8');
    for (const k of keys(text)) out.set(k, file);
    for (const [shape, ks] of kitShapes) {
      if (text.includes(`...${shape}`) || new RegExp(`parseEnv\\(${shape}\\b`).test(text)) for (const k of ks) out.set(k, `services/kit/config.ts (${shape})`);
    }
  }
  return out;
}

/** What a deployed service reads: its own config.ts; the migration job reads the shared settings. */
export function envOfService(name: string): Map<string, string> {
  if (name === 'migrate') return declaredEnv(['services/kit/migrate-cli.ts']);
  return declaredEnv([`services/${name}/config.ts`]);
}

export interface ComposeService { image?: string; command?: string[]; labels?: Record<string, string>; environment?: Record<string, string | number> }
export function composeFile(): { services: Record<string, ComposeService> } {
  return parseYaml(readFileSync(join(deployDir, 'compose.yaml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
}

/** Compose's own interpolation for what this file uses: ${NAME:-default} and ${NAME:?message}, from `env`. */
export function interpolate(value: string, env: Record<string, string | undefined>): string {
  return value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_, name: string, op?: string, arg?: string) => {
    const v = env[name];
    if (v) return v;
    if (op === '?') throw new Error(`compose needs ${name}: ${arg}`);
    return op === '-' ? arg ?? '' : '';
  });
}

/** Kubernetes objects from `helm template` output. */
export interface K8sObject { kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: Record<string, unknown> }
export function k8sObjects(rendered: string): K8sObject[] {
  return parseAllDocuments(rendered).map((d) => d.toJS() as K8sObject | null).filter((o): o is K8sObject => o !== null);
}

export interface K8sContainer {
  name: string; args?: string[]; ports?: { name: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  startupProbe?: { httpGet: { path: string; port: string | number } };
  livenessProbe?: { httpGet: { path: string; port: string | number } };
  readinessProbe?: { httpGet: { path: string; port: string | number } };
}
export function containersOf(o: K8sObject): K8sContainer[] {
  const spec = o.spec as { template?: { spec?: { containers?: K8sContainer[] } } } | undefined;
  return spec?.template?.spec?.containers ?? [];
}

/** Every PromQL expression the dashboard and the alert rules evaluate, with where it comes from. */
export function promqlExpressions(): { where: string; expr: string }[] {
  const dashboard = JSON.parse(readFileSync(join(deployDir, 'grafana/dashboards/tessera.json'), 'utf8')) as { panels: { title: string; targets?: { expr: string }[] }[] };
  const alerts = parseYaml(readFileSync(join(deployDir, 'prometheus/alerts.yml'), 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] };
  return [
    ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `dashboard panel "${p.title}"`, expr: t.expr }))),
    ...alerts.groups.flatMap((g) => g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr }))),
  ];
}

/** Grafana's interval variables, replaced by a duration so the expression parses as plain PromQL. */
const grafanaVars = (expr: string) => expr.replaceAll('$__rate_interval', '5m').replaceAll('$__range', '1h').replaceAll('$__interval', '1m');

/** Parses with Prometheus' own PromQL grammar; returns the syntax errors' positions and the metric names selected. */
export function parsePromql(expr: string): { errors: number[]; metrics: string[] } {
  const text = grafanaVars(expr);
  const tree = promql.parse(text);
  const errors: number[] = [];
  const metrics: string[] = [];
  tree.iterate({
    enter(n) {
      if (n.type.isError) errors.push(n.from);
      // A vector selector's metric name is its Identifier child.
      if (n.name === 'VectorSelector') {
        const id = n.node.getChild('Identifier');
        if (id) metrics.push(text.slice(id.from, id.to));
      }
    },
  });
  return { errors, metrics };
}

/** Metric names an exposition declares (# TYPE), with the series names of histograms and summaries. */
export function exposedMetrics(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const m of exposition.matchAll(/^# TYPE (\S+) (\w+)$/gm)) {
    names.add(m[1]!);
    if (m[2] === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m[1]! + s);
    if (m[2] === 'summary') for (const s of ['_sum', '_count']) names.add(m[1]! + s);
  }
  return names;
}

/** A content hash of what the image compiles: services (no tests), the TypeScript settings and the lock file. */
export function buildInputsHash(): string {
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const f of readdirSync(dir).sort()) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (!f.endsWith('.test.ts')) h.update(p).update(readFileSync(p));
    }
  };
  walk(join(repoRoot, 'services'));
  for (const f of ['tsconfig.json', 'infra/deploy/tsconfig.build.json', 'package-lock.json']) h.update(readFileSync(join(repoRoot, f)));
  return h.digest('hex').slice(0, 16);
}
