// What the figures were measured on: CPUs, memory, versions of node, Kafka and ClickHouse, and the git commit.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import os from 'node:os';
import type { ClickHouseClient } from '../services/kit/clickhouse.ts';
import { select } from '../services/kit/clickhouse.ts';
import { kafkaHome } from './references.ts';

export interface Machine {
  cpus: number; cpuModel: string; memoryBytes: number; os: string; node: string; kafka: string; clickhouse: string;
  gitSha: string; gitDirty: boolean;
}

const git = (...args: string[]) => { try { return execFileSync('git', args, { encoding: 'utf8' }).trim(); } catch { return ''; } };

export async function machineInfo(ch: ClickHouseClient): Promise<Machine> {
  const jar = (() => { try { return readdirSync(`${kafkaHome()}/libs`).find((f) => /^kafka_[\d.]+-[\d.]+\.jar$/.test(f)); } catch { return undefined; } })();
  const [v] = await select<{ v: string }>(ch, 'SELECT version() AS v');
  return {
    cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryBytes: os.totalmem(), os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version, kafka: jar?.replace(/^kafka_[\d.]+-(.+)\.jar$/, '$1') ?? 'unknown', clickhouse: v?.v ?? 'unknown',
    gitSha: git('rev-parse', 'HEAD') || 'unknown', gitDirty: git('status', '--porcelain', '--untracked-files=no') !== '',
  };
}
