// The pipeline's services as child processes for the benchmark: like the demo's, plus node flags (CPU profile)
// and what the kernel knows about each process (peak RSS, CPU time).
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ServiceProcess } from '../services/demo/processes.ts';

const root = fileURLToPath(new URL('../', import.meta.url));

/** Starts `entry` with tsx and extra node flags (e.g. --cpu-prof, which NODE_OPTIONS does not accept). */
export function startWithFlags(name: string, entry: string, env: Record<string, string>, logDir: string, port: number, nodeFlags: string[]): ServiceProcess {
  mkdirSync(logDir, { recursive: true });
  const logFile = `${logDir}/${name}.log`;
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', entry], {
    cwd: root,
    env: { ...process.env, ...env, TESSERA_HTTP_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  return { name, child, logFile, port };
}

/** Peak resident set size (VmHWM) of a live process, bytes; null once it has gone. */
export function peakRss(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** User + system CPU seconds a live process has used so far; null once it has gone. */
export function cpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 (utime, stime) of proc(5); the slice starts at field 3.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}
