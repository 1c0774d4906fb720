// Public API of the identity core: extraction, configuration, the graph and its reference definition.
export type {
  Cause, ChangelogRecord, Claim, ClaimPrimary, DroppedIdentifier, Extraction, Identifier, Link, Merge, Move,
  ProfileChange, ProfileSnapshot, Refusal, StepResult,
} from './types.ts';
export { extractIdentifiers } from './identifiers.ts';
export { normaliseIdentifier, type Normalisation } from './normalise.ts';
export { defaultIdentityConfig, parseIdentityConfig, ruleFor, type IdentityConfig, type IdentityRule, type ParsedConfig } from './rules.ts';
export { IdentityGraph, type Erasure, type Lookup } from './graph.ts';
export { resolve } from './resolve.ts';
export { claimKey } from './changelog.ts';
