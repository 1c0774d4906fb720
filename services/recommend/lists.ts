// What a recommender run publishes: the profiles whose list changed since the previous run, and tombstones for the
// profiles that are gone (merged away). Pure. Scores are not compared: float sums may differ in the last bits from
// run to run over the same data, which is not a change anyone downstream should hear about.

export type RecSource = 'similar' | 'popular';
export interface RecItem { item: string; score: number; source: RecSource }

/** The value of the recommendations topic (schemas/avro/recommendations.avsc). */
export interface RecommendationRecord { profileId: string; items: RecItem[]; run: number; asOf: number }

const same = (a: readonly RecItem[], b: readonly RecItem[]) => a.length === b.length && a.every((x, i) => x.item === b[i]!.item && x.source === b[i]!.source);

export function changedLists(previous: ReadonlyMap<string, readonly RecItem[]>, current: ReadonlyMap<string, RecItem[]>, run: number, asOf: number):
  { records: RecommendationRecord[]; tombstones: string[] } {
  const records: RecommendationRecord[] = [];
  for (const profileId of [...current.keys()].sort()) {
    const items = current.get(profileId)!;
    const before = previous.get(profileId);
    if (!before || !same(before, items)) records.push({ profileId, items, run, asOf });
  }
  const tombstones = [...previous.keys()].filter((p) => !current.has(p)).sort();
  return { records, tombstones };
}
