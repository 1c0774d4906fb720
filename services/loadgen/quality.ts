// Identity quality against ground truth: pairwise precision, recall and F1 over events, plus over-merged
// and split people. Pure; counts pairs through a contingency table, never by enumerating pairs.

export interface Quality {
  events: number;
  precision: number;
  recall: number;
  f1: number;
  /** People whose events share a profile with another person's events. */
  overMergedPeople: number;
  /** People whose events are spread over more than one profile. */
  splitPeople: number;
  people: number;
  profiles: number;
}

const pairs = (n: number) => (n * (n - 1)) / 2;

/** `items`: one [predicted profile, true person] per event. Events without a profile count as singletons. */
export function pairwiseQuality(items: Iterable<readonly [string | null, number]>): Quality {
  const cell = new Map<string, number>();
  const byProfile = new Map<string, Set<number>>();
  const byPerson = new Map<number, Map<string, number>>();
  const perPerson = new Map<number, number>();
  const perProfile = new Map<string, number>();
  let events = 0;
  let singles = 0;
  for (const [predicted, person] of items) {
    events += 1;
    const profile = predicted ?? `\u0000single:${singles++}`;
    const k = `${profile}\u0001${person}`;
    cell.set(k, (cell.get(k) ?? 0) + 1);
    perPerson.set(person, (perPerson.get(person) ?? 0) + 1);
    perProfile.set(profile, (perProfile.get(profile) ?? 0) + 1);
    let ps = byProfile.get(profile);
    if (!ps) byProfile.set(profile, (ps = new Set()));
    ps.add(person);
    let prof = byPerson.get(person);
    if (!prof) byPerson.set(person, (prof = new Map()));
    prof.set(profile, (prof.get(profile) ?? 0) + 1);
  }
  let tp = 0;
  for (const n of cell.values()) tp += pairs(n);
  let predictedPairs = 0;
  for (const n of perProfile.values()) predictedPairs += pairs(n);
  let truePairs = 0;
  for (const n of perPerson.values()) truePairs += pairs(n);
  const precision = predictedPairs === 0 ? 1 : tp / predictedPairs;
  const recall = truePairs === 0 ? 1 : tp / truePairs;
  let overMerged = 0;
  let split = 0;
  for (const [, profiles] of byPerson) {
    if (profiles.size > 1) split += 1;
    if ([...profiles.keys()].some((p) => (byProfile.get(p)?.size ?? 0) > 1)) overMerged += 1;
  }
  return {
    events, precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    overMergedPeople: overMerged, splitPeople: split, people: perPerson.size,
    profiles: [...perProfile.keys()].filter((p) => !p.startsWith('\u0000')).length,
  };
}
