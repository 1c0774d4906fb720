// Does a server answer? TCP connect for Kafka, HTTP GET for the registry and ClickHouse.
import { connect } from 'node:net';

export function tcpAnswers(hostPort: string, timeoutMs = 1000): Promise<boolean> {
  const i = hostPort.lastIndexOf(':');
  return new Promise((resolve) => {
    const s = connect({ host: hostPort.slice(0, i), port: Number(hostPort.slice(i + 1)) });
    s.setTimeout(timeoutMs);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
    s.once('timeout', () => { s.destroy(); resolve(false); });
  });
}

export async function httpAnswers(url: string, timeoutMs = 2000): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })).ok;
  } catch {
    return false;
  }
}

export interface Endpoints { kafkaBrokers: string[]; registryUrl: string; clickhouseUrl: string }

/** The servers among kafka, registry and clickhouse that do not answer. */
export async function serversDown(e: Endpoints): Promise<('kafka' | 'registry' | 'clickhouse')[]> {
  const down: ('kafka' | 'registry' | 'clickhouse')[] = [];
  if (!(await tcpAnswers(e.kafkaBrokers[0]!))) down.push('kafka');
  if (!(await httpAnswers(`${e.registryUrl}/subjects`))) down.push('registry');
  if (!(await httpAnswers(`${e.clickhouseUrl}/ping`))) down.push('clickhouse');
  return down;
}
