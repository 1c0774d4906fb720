// Configuration of `tessera recommend` (docs/recommendations.md lists every variable with its default).
import { z } from 'zod';
import { commonEnv, intFromEnv, parseEnv, topicLayoutEnv } from '../kit/config.ts';
import { durationSeconds } from '../segments/definition.ts';
import { defaultRecommendOptions, type RecommendOptions } from './sql.ts';

const names = (def: string[]) => z.string().default(def.join(',')).transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)).pipe(z.array(z.string()).min(1, 'give at least one name'));
const d = defaultRecommendOptions;

export const recommendEnv = {
  ...commonEnv,
  ...topicLayoutEnv,
  TESSERA_RECOMMEND_TOP_N: intFromEnv(d.topN, 1),
  TESSERA_RECOMMEND_NEIGHBOURS: intFromEnv(d.neighbours, 1),
  TESSERA_RECOMMEND_HISTORY_CAP: intFromEnv(d.historyCap, 1),
  /** view=1,cart=3,purchase=5 */
  TESSERA_RECOMMEND_WEIGHTS: z.string().default(`view=${d.weights.view},cart=${d.weights.cart},purchase=${d.weights.purchase}`)
    .transform((s, ctx) => {
      const w = Object.fromEntries(s.split(',').map((kv) => kv.split('=').map((x) => x.trim())));
      const out = { view: Number(w.view), cart: Number(w.cart), purchase: Number(w.purchase) };
      if (Object.keys(w).some((k) => !['view', 'cart', 'purchase'].includes(k)) || Object.values(out).some((n) => !Number.isFinite(n) || n < 0)) {
        ctx.addIssue({ code: 'custom', message: 'expected view=N,cart=N,purchase=N with non-negative numbers' });
      }
      return out;
    }),
  TESSERA_RECOMMEND_ITEM_PROPERTIES: names(d.itemProperties),
  /** log: a cell is log(1 + summed weight); binary: 1 for any interaction. */
  TESSERA_RECOMMEND_VALUE: z.enum(['log', 'binary']).default(d.value),
  TESSERA_RECOMMEND_VIEW_EVENTS: names(d.events.view),
  TESSERA_RECOMMEND_CART_EVENTS: names(d.events.cart),
  TESSERA_RECOMMEND_PURCHASE_EVENTS: names(d.events.purchase),
  TESSERA_RECOMMEND_EVERY: z.string().default('1h').refine((s) => durationSeconds(s) !== null, 'expected a duration such as 15m, 1h or 1d')
    .transform((s) => durationSeconds(s)! * 1000),
};

export function parseRecommendConfig(env: NodeJS.ProcessEnv = process.env) {
  const c = parseEnv(recommendEnv, env);
  const options: RecommendOptions = {
    ...d,
    topN: c.TESSERA_RECOMMEND_TOP_N, neighbours: c.TESSERA_RECOMMEND_NEIGHBOURS, historyCap: c.TESSERA_RECOMMEND_HISTORY_CAP,
    weights: c.TESSERA_RECOMMEND_WEIGHTS, itemProperties: c.TESSERA_RECOMMEND_ITEM_PROPERTIES, value: c.TESSERA_RECOMMEND_VALUE,
    events: { view: c.TESSERA_RECOMMEND_VIEW_EVENTS, cart: c.TESSERA_RECOMMEND_CART_EVENTS, purchase: c.TESSERA_RECOMMEND_PURCHASE_EVENTS },
  };
  return { ...c, options };
}
