// The identity graph rebuilt from the compacted changelog, as the link stage restores its own, kept only to explain
// links: why two identifiers share a profile, and the links (with their events) that hold a profile together.
import { IdentityGraph, type ChangelogRecord, type IdentityConfig, type Identifier, type Link } from '../identity/index.ts';
import type { ClaimRecord } from '../kit/records.ts';

/** One link drawn as an edge: `to` joined the profile through `from`, by the event `messageId`. */
export interface LinkEdge { from: Identifier; to: Identifier; messageId: string; eventTime: number }

export interface EdgesOf { edges: LinkEdge[]; complete: boolean }

/** Edges are computed for at most this many identifiers of one profile (explain is a search over its claims). */
export const MAX_EDGE_IDENTIFIERS = 200;

export class ExplainGraph {
  private graph: IdentityGraph | null = null;
  /** Claims read before the graph is built: the restore set (latest per key, null = erased). */
  private restoring: Map<string, ChangelogRecord> | null = new Map();
  /** Claim keys erased (tombstoned) since the graph was last built: it is rebuilt without them at the next read. */
  private readonly erased = new Set<string>();

  constructor(private readonly config: IdentityConfig) {}

  /** Applies one changelog record (key: claim key). Before `restored()` it only collects. */
  apply(key: string, value: ClaimRecord | null): void {
    // Blocked values ride along, as the link stage applies them: they never link, but a rule change may un-block them.
    const blocked = value?.blocked?.length ? { blocked: value.blocked } : {};
    const record: ChangelogRecord = { key, value: value === null ? null : { messageId: value.messageId, eventTime: Number(value.eventTime), identifiers: value.identifiers, ...blocked } };
    if (this.restoring !== null) {
      this.restoring.set(key, record);
      return;
    }
    if (value === null) {
      this.erased.add(key);
      return;
    }
    this.erased.delete(key);
    this.graph!.apply(record.value!);
  }

  /** Builds the graph from the claims read so far, the same way the link stage restores its own. */
  restored(): void {
    if (this.restoring === null) return;
    this.graph = IdentityGraph.restore(this.restoring.values(), this.config);
    this.restoring = null;
  }

  get ready(): boolean {
    return this.graph !== null;
  }

  /** The chain of links from a to b (empty when a = b), or null when they are not in one profile. */
  explain(a: Identifier, b: Identifier): LinkEdge[] | null {
    const chain = this.current()?.explain(a, b) ?? null;
    return chain === null ? null : edgesOf(a, chain);
  }

  profileOf(id: Identifier): string | null {
    return this.current()?.profileOf(id) ?? null;
  }

  /**
   * The links that hold a profile together, as a tree from its anchor (the identifier linked first): the union of
   * the explain chains from the anchor, which share their prefixes because each is the same breadth-first search.
   */
  edges(anchor: Identifier, identifiers: readonly Identifier[]): EdgesOf {
    if (this.current() === null) return { edges: [], complete: false };
    const seen = new Map<string, LinkEdge>();
    let complete = identifiers.length <= MAX_EDGE_IDENTIFIERS;
    for (const id of identifiers.slice(0, MAX_EDGE_IDENTIFIERS)) {
      const chain = this.explain(anchor, id);
      if (chain === null) { complete = false; continue; }
      for (const e of chain) seen.set(`${e.to.type}:${e.to.value}`, e);
    }
    return { edges: [...seen.values()], complete };
  }

  /**
   * The graph without the erased claims. The core forgets identifiers, not claim keys, so an erasure (rare) rebuilds
   * the graph from its own changelog minus the tombstoned keys: the restore the link stage would do after it.
   */
  private current(): IdentityGraph | null {
    if (this.graph !== null && this.erased.size > 0) {
      this.graph = IdentityGraph.restore(this.graph.changelog().filter((r) => !this.erased.has(r.key)), this.config);
      this.erased.clear();
    }
    return this.graph;
  }

  stats(): { identifiers: number; profiles: number; claims: number } {
    const s = this.graph?.stats();
    return { identifiers: s?.identifiers ?? 0, profiles: s?.profiles ?? 0, claims: s?.claims ?? this.restoring?.size ?? 0 };
  }
}

function edgesOf(a: Identifier, chain: Link[]): LinkEdge[] {
  const out: LinkEdge[] = [];
  let from = a;
  for (const l of chain) {
    out.push({ from, to: l.identifier, messageId: l.messageId, eventTime: l.eventTime });
    from = l.identifier;
  }
  return out;
}
