// What every resolver in the side-by-side comparison is: touchpoints in arrival order in, each event's final profile out.
import type { Touchpoint } from '../../services/contract/touchpoint.ts';

/** messageId → the profile the event ends up in once every touchpoint is in; null when nothing could place it. */
export type Assignment = Map<string, string | null>;

export interface Resolver {
  /** Short column name in the tables. */
  name: string;
  /** One line: which policy, read from where. */
  about: string;
  /** Resolves the touchpoints in the order given (the order is part of the input: some policies depend on it). */
  resolve(touchpoints: readonly Touchpoint[]): Assignment;
}
