/**
 * `/invoices/{id}/payments`: list, add, delete (`docs/tradify-contract.md#endpoints-the-library-uses`).
 *
 * @module
 */
import { pageQuery, paginate } from './pagination.js';
import type {
  TradifyCreateOptions,
  TradifyListOptions,
  TradifyListing,
  TradifyPayment,
  TradifyPaymentInput,
  TradifyPaymentsResource,
  TradifyRequestOptions,
} from './port.js';
import type { TradifyResourceContext } from './resource-context.js';
import { dataEnvelope, listEnvelopeSchema, tradifyPaymentSchema } from './schemas.js';
import { segment } from './transport.js';

const one = dataEnvelope(tradifyPaymentSchema);

/** Builds the payments resource of a client. */
export function createPaymentsResource(ctx: TradifyResourceContext): TradifyPaymentsResource {
  const { send, pageSize } = ctx;
  const base = (invoiceId: string): string => `invoices/${segment(invoiceId)}/payments`;
  return {
    list(invoiceId: string, options: TradifyListOptions = {}): TradifyListing<TradifyPayment> {
      const path = base(invoiceId);
      return paginate((cursor) => send({ method: 'GET', path, query: pageQuery([], pageSize, cursor), schema: listEnvelopeSchema, signal: options.signal }), {
        resource: 'payments',
        endpoint: path,
        schema: tradifyPaymentSchema,
        onUnreadable: options.onUnreadable,
      });
    },
    async add(invoiceId: string, input: TradifyPaymentInput, options: TradifyCreateOptions = {}): Promise<TradifyPayment> {
      const body = await send({
        method: 'POST',
        path: base(invoiceId),
        json: input,
        schema: one,
        idempotencyKey: options.idempotencyKey,
        signal: options.signal,
      });
      return body.data;
    },
    async delete(invoiceId: string, paymentId: string, options: TradifyRequestOptions = {}): Promise<void> {
      await send({ method: 'DELETE', path: `${base(invoiceId)}/${segment(paymentId)}`, signal: options.signal });
    },
  };
}
