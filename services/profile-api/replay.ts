// Builds the API's state without Kafka: claims go through the link stage's own pure processor, and each record it
// would publish is applied through the same per-topic apply the topic follower calls (benchmark and tests).
import { claimKey, IdentityGraph, type Claim, type IdentityConfig } from '../identity/index.ts';
import { linkProcessor, type LinkState } from '../link/processor.ts';
import { VersionClock } from '../link/version-clock.ts';
import { SuppressionList } from '../privacy/suppression.ts';
import type { ClaimRecord } from '../kit/records.ts';
import type { InputRecord } from '../kit/stage/types.ts';
import { topicNames } from '../kit/topics.ts';
import type { ApiState } from './service.ts';

export class Replay {
  private readonly topics;
  private readonly processor;
  private link: LinkState;
  private readonly apply: Map<string, (key: string, value: unknown) => void>;
  private offset = 0;

  /** `follow` picks the topics applied (default all three; the benchmark leaves the changelog out to size the tables alone). */
  constructor(state: ApiState, config: IdentityConfig, follow: (topic: 'profiles' | 'identifiers' | 'changelog') => boolean = () => true, prefix = 'replay.') {
    this.topics = topicNames(prefix);
    this.processor = linkProcessor(this.topics);
    // No erasures in a replay: an empty suppression list (no key needed to hash nothing).
    this.link = { graph: new IdentityGraph(config), versions: new VersionClock(), suppression: new SuppressionList(Buffer.alloc(0)) };
    const names = { [this.topics.profiles]: 'profiles', [this.topics.identifiers]: 'identifiers', [this.topics.changelog]: 'changelog' } as const;
    this.apply = new Map(state.tableTopics(prefix).filter((t) => follow(names[t.topic]!)).map((t) => [t.topic, t.apply]));
  }

  /** Links a batch of claims as the link stage would and applies what it publishes to the tables and graph. */
  claims(claims: readonly Claim[]): void {
    const input: InputRecord<ClaimRecord>[] = claims.map((value) => ({
      topic: this.topics.claims, partition: 0, offset: String(this.offset++), key: Buffer.from(claimKey(value.identifiers)), value,
    }));
    const out = this.processor.process(this.link, input);
    for (const o of out.outputs) this.apply.get(o.topic)?.(o.key ?? '', o.value);
  }

  /** Drops the link stage's graph (the benchmark measures what the API holds, not what the link stage holds). */
  release(): void {
    this.link = { graph: new IdentityGraph(this.link.graph.config), versions: this.link.versions, suppression: this.link.suppression };
  }

  /** The link stage's own graph, for comparison. */
  get graph(): IdentityGraph {
    return this.link.graph;
  }
}
