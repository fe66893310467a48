/**
 * `/tax-rates` (read-only).
 *
 * @module
 */
import { pageQuery, paginate } from './pagination.js';
import type { TradifyListing, TradifyListOptions, TradifyTaxRate, TradifyTaxRatesResource } from './port.js';
import type { TradifyResourceContext } from './resource-context.js';
import { listEnvelopeSchema, tradifyTaxRateSchema } from './schemas.js';

/** Builds the tax-rates resource of a client. */
export function createTaxRatesResource(ctx: TradifyResourceContext): TradifyTaxRatesResource {
  const { send, pageSize } = ctx;
  return {
    list(options: TradifyListOptions = {}): TradifyListing<TradifyTaxRate> {
      return paginate((cursor) => send({ method: 'GET', path: 'tax-rates', query: pageQuery([], pageSize, cursor), schema: listEnvelopeSchema, signal: options.signal }), {
        resource: 'tax-rates',
        endpoint: 'tax-rates',
        schema: tradifyTaxRateSchema,
        onUnreadable: options.onUnreadable,
      });
    },
  };
}
