/**
 * `/staff` (read-only).
 *
 * @module
 */
import { pageQuery, paginate } from './pagination.js';
import type { TradifyListing, TradifyListOptions, TradifyStaff, TradifyStaffResource } from './port.js';
import type { TradifyResourceContext } from './resource-context.js';
import { listEnvelopeSchema, tradifyStaffSchema } from './schemas.js';

/** Builds the staff resource of a client. */
export function createStaffResource(ctx: TradifyResourceContext): TradifyStaffResource {
  const { send, pageSize } = ctx;
  return {
    list(options: TradifyListOptions = {}): TradifyListing<TradifyStaff> {
      return paginate((cursor) => send({ method: 'GET', path: 'staff', query: pageQuery([], pageSize, cursor), schema: listEnvelopeSchema, signal: options.signal }), {
        resource: 'staff',
        endpoint: 'staff',
        schema: tradifyStaffSchema,
        onUnreadable: options.onUnreadable,
      });
    },
  };
}
