// Top-k ranking metrics with binary relevance, averaged over people. Pure.

export interface RankingQuality { precision: number; recall: number; ndcg: number; people: number }

/** precision@k, recall@k and NDCG@k of one list against the items the person went on to touch. */
export function atK(recommended: readonly string[], relevant: ReadonlySet<string>, k: number): { precision: number; recall: number; ndcg: number } {
  const top = recommended.slice(0, k);
  let hits = 0;
  let dcg = 0;
  top.forEach((item, i) => { if (relevant.has(item)) { hits += 1; dcg += 1 / Math.log2(i + 2); } });
  let ideal = 0;
  for (let i = 0; i < Math.min(k, relevant.size); i++) ideal += 1 / Math.log2(i + 2);
  return { precision: hits / k, recall: relevant.size === 0 ? 0 : hits / relevant.size, ndcg: ideal === 0 ? 0 : dcg / ideal };
}

/** The mean over people; a person with no list scores 0 (the recommender had nothing to offer). */
export function meanAtK(lists: readonly { recommended: readonly string[]; relevant: ReadonlySet<string> }[], k: number): RankingQuality {
  const sum = { precision: 0, recall: 0, ndcg: 0 };
  for (const l of lists) {
    const q = atK(l.recommended, l.relevant, k);
    sum.precision += q.precision; sum.recall += q.recall; sum.ndcg += q.ndcg;
  }
  const n = Math.max(1, lists.length);
  return { precision: sum.precision / n, recall: sum.recall / n, ndcg: sum.ndcg / n, people: lists.length };
}
