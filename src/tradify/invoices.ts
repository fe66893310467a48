/**
 * `/invoices`: list, retrieve, create (always a draft), update and delete (drafts only),
 * approve and cancel (`docs/tradify-contract.md#endpoints-the-library-uses`).
 *
 * @module
 */
import { pageQuery, paginate } from './pagination.js';
import type {
  TradifyCreateOptions,
  TradifyInvoice,
  TradifyInvoiceInput,
  TradifyInvoicePatch,
  TradifyInvoiceQuery,
  TradifyInvoicesResource,
  TradifyListing,
  TradifyRequestOptions,
} from './port.js';
import { isoInstant, withOwner, type TradifyResourceContext } from './resource-context.js';
import { dataEnvelope, listEnvelopeSchema, tradifyInvoiceSchema } from './schemas.js';
import { segment } from './transport.js';

const one = dataEnvelope(tradifyInvoiceSchema);

function invoiceFilters(query: TradifyInvoiceQuery): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  if (query.customerId !== undefined) pairs.push(['customerId', query.customerId]);
  if (query.status !== undefined) pairs.push(['status', query.status]);
  if (query.externalReference !== undefined) pairs.push(['externalReference', query.externalReference]);
  if (query.updatedSince !== undefined) pairs.push(['updatedSince', isoInstant(query.updatedSince)]);
  return pairs;
}

/** Builds the invoices resource of a client. */
export function createInvoicesResource(ctx: TradifyResourceContext): TradifyInvoicesResource {
  const { send, pageSize, capabilities } = ctx;
  const path = (id: string, action = ''): string => `invoices/${segment(id)}${action}`;
  const transition = async (id: string, action: string, options: TradifyRequestOptions): Promise<TradifyInvoice> =>
    (await send({ method: 'POST', path: path(id, `/${action}`), schema: one, signal: options.signal })).data;

  return {
    list(query: TradifyInvoiceQuery = {}): TradifyListing<TradifyInvoice> {
      const filters = invoiceFilters(query);
      return paginate(
        (cursor) => send({ method: 'GET', path: 'invoices', query: pageQuery(filters, pageSize, cursor), schema: listEnvelopeSchema, signal: query.signal }),
        { resource: 'invoices', endpoint: 'invoices', schema: tradifyInvoiceSchema, onUnreadable: query.onUnreadable },
      );
    },
    async retrieve(id: string, options: TradifyRequestOptions = {}): Promise<TradifyInvoice> {
      return (await send({ method: 'GET', path: path(id), schema: one, signal: options.signal })).data;
    },
    async create(input: TradifyInvoiceInput, options: TradifyCreateOptions = {}): Promise<TradifyInvoice> {
      const body = await send({
        method: 'POST',
        path: 'invoices',
        json: withOwner(input, capabilities, 'invoices', 'create'),
        schema: one,
        idempotencyKey: options.idempotencyKey,
        signal: options.signal,
      });
      return body.data;
    },
    async update(id: string, patch: TradifyInvoicePatch, options: TradifyRequestOptions = {}): Promise<TradifyInvoice> {
      const json = withOwner(patch, capabilities, 'invoices', 'update');
      return (await send({ method: 'PATCH', path: path(id), json, schema: one, signal: options.signal })).data;
    },
    async delete(id: string, options: TradifyRequestOptions = {}): Promise<void> {
      await send({ method: 'DELETE', path: path(id), signal: options.signal });
    },
    approve: (id, options = {}) => transition(id, 'approve', options),
    cancel: (id, options = {}) => transition(id, 'cancel', options),
  };
}
