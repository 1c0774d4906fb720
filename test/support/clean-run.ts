// What a clean run of the resolver must produce: the pure core over the same events, skipping invalid ones.
import type { Touchpoint } from '../../services/contract/touchpoint.ts';
import { defaultIdentityConfig, extractIdentifiers, IdentityGraph } from '../../services/identity/index.ts';
import { validateTouchpoint } from '../../services/contract/validate.ts';

export function cleanRun(touchpoints: readonly Touchpoint[], config = defaultIdentityConfig): { graph: IdentityGraph; valid: number } {
  const graph = new IdentityGraph(config);
  let valid = 0;
  for (const t of touchpoints) {
    if (!validateTouchpoint(t).ok) continue;
    valid += 1;
    const x = extractIdentifiers(t, config);
    if (x.identifiers.length) graph.apply({ messageId: t.messageId, eventTime: t.timestamp, identifiers: x.identifiers });
  }
  return { graph, valid };
}
