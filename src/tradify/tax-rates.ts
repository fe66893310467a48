/**
 * `/tax-rates` (read-only).
 *
 * @module
 */
import { pageQuery, paginate } from './pagination.js';
import type { TradifyListing, TradifyRequestOptions, TradifyTaxRate, TradifyTaxRatesResource } from './port.js';
import type { TradifyResourceContext } from './resource-context.js';
import { listEnvelope, tradifyTaxRateSchema } from './schemas.js';

const many = listEnvelope(tradifyTaxRateSchema);

/** Builds the tax-rates resource of a client. */
export function createTaxRatesResource(ctx: TradifyResourceContext): TradifyTaxRatesResource {
  const { send, pageSize } = ctx;
  return {
    list(options: TradifyRequestOptions = {}): TradifyListing<TradifyTaxRate> {
      return paginate((cursor) => send({ method: 'GET', path: 'tax-rates', query: pageQuery([], pageSize, cursor), schema: many, signal: options.signal }), 'tax-rates');
    },
  };
}
