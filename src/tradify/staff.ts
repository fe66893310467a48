/**
 * `/staff` (read-only).
 *
 * @module
 */
import { pageQuery, paginate } from './pagination.js';
import type { TradifyListing, TradifyRequestOptions, TradifyStaff, TradifyStaffResource } from './port.js';
import type { TradifyResourceContext } from './resource-context.js';
import { listEnvelope, tradifyStaffSchema } from './schemas.js';

const many = listEnvelope(tradifyStaffSchema);

/** Builds the staff resource of a client. */
export function createStaffResource(ctx: TradifyResourceContext): TradifyStaffResource {
  const { send, pageSize } = ctx;
  return {
    list(options: TradifyRequestOptions = {}): TradifyListing<TradifyStaff> {
      return paginate((cursor) => send({ method: 'GET', path: 'staff', query: pageQuery([], pageSize, cursor), schema: many, signal: options.signal }), 'staff');
    },
  };
}
