// Topic names, derived from one configurable prefix (docs/architecture.md, topics).

export interface Topics {
  touchpoints: string;
  dlq: string;
  resolved: string;
  profiles: string;
  merges: string;
  changelog: string;
}

export function topicNames(prefix: string): Topics {
  return {
    touchpoints: `${prefix}touchpoints`,
    dlq: `${prefix}touchpoints.dlq`,
    resolved: `${prefix}events.resolved`,
    profiles: `${prefix}profiles`,
    merges: `${prefix}identity.merges`,
    changelog: `${prefix}identity.changelog`,
  };
}
