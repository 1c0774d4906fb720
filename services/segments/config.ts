// Configuration of `tessera segments` (README / docs/segments.md list every variable with its default).
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { commonEnv, parseEnv, topicLayoutEnv } from '../kit/config.ts';
import { durationSeconds } from './definition.ts';

export const exampleDefinitions = fileURLToPath(new URL('./examples/segments.yaml', import.meta.url));

export const segmentsEnv = {
  ...commonEnv,
  ...topicLayoutEnv,
  /** The definitions file (YAML or JSON); relative paths are the caller's. Default: the shipped example. */
  TESSERA_SEGMENTS_FILE: z.string().min(1).default(exampleDefinitions),
  /** How often `tessera segments schedule` refreshes. */
  TESSERA_SEGMENTS_EVERY: z.string().default('15m')
    .refine((s) => durationSeconds(s) !== null, 'expected a duration such as 15m, 1h or 1d').transform((s) => durationSeconds(s)! * 1000),
};

export type SegmentsConfig = ReturnType<typeof parseSegmentsConfig>;

export const parseSegmentsConfig = (env: NodeJS.ProcessEnv = process.env) => parseEnv(segmentsEnv, env);
