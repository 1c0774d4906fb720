// One recommender run: compute in ClickHouse, publish the lists that changed (and tombstones for profiles that are
// gone), then mark the run finished so readers switch to it, and drop partitions nobody reads any more.
import type { Logger } from '../kit/log.ts';
import { changedLists, type RecommendationRecord } from './lists.ts';
import { activeProfiles, eventsSource, type RecommendOptions } from './sql.ts';
import type { RecommendationStore, RunStats } from './store.ts';

export interface RecPublisher { publish(records: readonly RecommendationRecord[], tombstones: readonly string[]): Promise<void> }

export interface RecRunResult extends RunStats { run: number; asOf: number; published: number; tombstones: number; tookMs: number }

export async function refreshRecommendations(
  deps: { store: RecommendationStore; publisher: RecPublisher; database: string; log: Logger; now: () => number },
  o: RecommendOptions, opts: { asOf?: number } = {},
): Promise<RecRunResult> {
  const started = deps.now();
  const finished = await deps.store.finishedRuns();
  // Run ids are instants in ms and increase, so the newest finished run is the one readers see.
  const run = Math.max(started, (finished[0] ?? 0) + 1);
  const asOf = opts.asOf ?? Math.floor(run / 1000);
  const stats = await deps.store.compute(run, eventsSource(deps.database, asOf, o), activeProfiles(deps.database), o);
  const previous = finished[0] !== undefined ? await deps.store.lists(finished[0]) : new Map();
  const { records, tombstones } = changedLists(previous, await deps.store.lists(run), run, asOf * 1000);
  await deps.publisher.publish(records, tombstones);
  const tookMs = deps.now() - started;
  await deps.store.finish(run, asOf, stats, tookMs);
  const dropped = await deps.store.dropAllBut([run, ...(finished[0] !== undefined ? [finished[0]] : [])]);
  deps.log.info({ run, ...stats, published: records.length, tombstones: tombstones.length, droppedRuns: dropped.length, tookMs }, 'recommendations refreshed');
  return { run, asOf, ...stats, published: records.length, tombstones: tombstones.length, tookMs };
}
