// Tessera itself as a resolver in the comparison: the identity core the resolver service runs, with its default rules.
import type { Touchpoint } from '../../services/contract/touchpoint.ts';
import { defaultIdentityConfig, extractIdentifiers, IdentityGraph, type IdentityConfig } from '../../services/identity/index.ts';
import type { Assignment, Resolver } from './resolver.ts';

/** Each event is read through its primary identifier's final profile, as the pipeline's events_current view does. */
export function tessera(config: IdentityConfig = defaultIdentityConfig): Resolver {
  return {
    name: 'tessera',
    about: 'Tessera\'s identity core (services/identity), default rules: priorities, limits, hubs, contested shared devices; order-insensitive',
    resolve(touchpoints: readonly Touchpoint[]): Assignment {
      const graph = new IdentityGraph(config);
      const primary: [string, ReturnType<IdentityGraph['apply']>['primaryIdentifier']][] = [];
      for (const t of touchpoints) {
        const { identifiers } = extractIdentifiers(t, config);
        const step = identifiers.length > 0 ? graph.apply({ messageId: t.messageId, eventTime: t.timestamp, identifiers }) : null;
        primary.push([t.messageId, step?.primaryIdentifier ?? null]);
      }
      return new Map(primary.map(([m, id]) => [m, id ? graph.profileOf(id) : null]));
    },
  };
}
