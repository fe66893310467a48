/**
 * `/customers`: list, retrieve, create, update (`docs/tradify-contract.md#endpoints-the-library-uses`).
 *
 * @module
 */
import { pageQuery, paginate } from './pagination.js';
import type {
  TradifyCreateOptions,
  TradifyCustomer,
  TradifyCustomerInput,
  TradifyCustomerPatch,
  TradifyCustomerQuery,
  TradifyCustomersResource,
  TradifyListing,
  TradifyRequestOptions,
} from './port.js';
import { isoInstant, withOwner, type TradifyResourceContext } from './resource-context.js';
import { dataEnvelope, listEnvelopeSchema, tradifyCustomerSchema } from './schemas.js';
import { segment } from './transport.js';

const one = dataEnvelope(tradifyCustomerSchema);

function customerFilters(query: TradifyCustomerQuery): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  if (query.email !== undefined) pairs.push(['email', query.email]);
  if (query.externalReference !== undefined) pairs.push(['externalReference', query.externalReference]);
  if (query.updatedSince !== undefined) pairs.push(['updatedSince', isoInstant(query.updatedSince)]);
  if (query.includeInactive) pairs.push(['includeInactive', 'true']);
  return pairs;
}

/** Builds the customers resource of a client. */
export function createCustomersResource(ctx: TradifyResourceContext): TradifyCustomersResource {
  const { send, pageSize, capabilities } = ctx;
  return {
    list(query: TradifyCustomerQuery = {}): TradifyListing<TradifyCustomer> {
      const filters = customerFilters(query);
      return paginate(
        (cursor) => send({ method: 'GET', path: 'customers', query: pageQuery(filters, pageSize, cursor), schema: listEnvelopeSchema, signal: query.signal }),
        { resource: 'customers', endpoint: 'customers', schema: tradifyCustomerSchema, onUnreadable: query.onUnreadable },
      );
    },
    async retrieve(id: string, options: TradifyRequestOptions = {}): Promise<TradifyCustomer> {
      const body = await send({ method: 'GET', path: `customers/${segment(id)}`, schema: one, signal: options.signal });
      return body.data;
    },
    async create(input: TradifyCustomerInput, options: TradifyCreateOptions = {}): Promise<TradifyCustomer> {
      const body = await send({
        method: 'POST',
        path: 'customers',
        json: withOwner(input, capabilities, 'customers', 'create'),
        schema: one,
        idempotencyKey: options.idempotencyKey,
        signal: options.signal,
      });
      return body.data;
    },
    async update(id: string, patch: TradifyCustomerPatch, options: TradifyRequestOptions = {}): Promise<TradifyCustomer> {
      const body = await send({
        method: 'PATCH',
        path: `customers/${segment(id)}`,
        json: withOwner(patch, capabilities, 'customers', 'update'),
        schema: one,
        signal: options.signal,
      });
      return body.data;
    },
  };
}
