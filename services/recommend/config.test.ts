import { describe, expect, it } from 'vitest';
import { ConfigError } from '../kit/errors.ts';
import { parseRecommendConfig } from './config.ts';
import { defaultRecommendOptions } from './sql.ts';

describe('parseRecommendConfig', () => {
  it('defaults to the documented options', () => {
    expect(parseRecommendConfig({}).options).toEqual(defaultRecommendOptions);
  });

  it('reads weights, names and sizes', () => {
    const c = parseRecommendConfig({ TESSERA_RECOMMEND_WEIGHTS: 'view=0.5, cart=2,purchase=10', TESSERA_RECOMMEND_TOP_N: '5', TESSERA_RECOMMEND_ITEM_PROPERTIES: 'sku, product_id', TESSERA_RECOMMEND_VIEW_EVENTS: 'Viewed,Product Viewed' });
    expect(c.options).toMatchObject({ weights: { view: 0.5, cart: 2, purchase: 10 }, topN: 5, itemProperties: ['sku', 'product_id'], events: { view: ['Viewed', 'Product Viewed'] } });
  });

  it('lists every bad variable at once', () => {
    try {
      parseRecommendConfig({ TESSERA_RECOMMEND_WEIGHTS: 'view=1,clicks=2', TESSERA_RECOMMEND_TOP_N: '0', TESSERA_RECOMMEND_EVERY: 'soon' });
      expect.unreachable();
    } catch (err) {
      expect((err as ConfigError).problems.map((p) => p.split(':')[0]).sort()).toEqual(['TESSERA_RECOMMEND_EVERY', 'TESSERA_RECOMMEND_TOP_N', 'TESSERA_RECOMMEND_WEIGHTS']);
    }
  });
});
