// The tools the client and deployment tests run, installed once outside the checkout by infra/local/install-tools.sh.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export type ToolSet = 'python' | 'chdb' | 'helm' | 'promtool';

/**
 * Installs what is missing (a no-op when cached) and returns the paths the script printed, e.g. `python`,
 * `hadolint`, `chdb`, `helm`. A cold install takes up to a few minutes (helm and promtool are built with Go).
 */
export function installTools(...sets: ToolSet[]): Record<string, string> {
  const out = execFileSync('bash', ['infra/local/install-tools.sh', ...sets], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return Object.fromEntries(out.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

/** Hook timeout for a beforeAll that may install tools cold. */
export const INSTALL_TIMEOUT_MS = 900_000;
