/**
 * What every Tradify resource is built from.
 *
 * @internal
 * @module
 */
import { ownersOn, type TradifyCapabilityEntity } from './capabilities.js';
import type { TradifyCapabilities } from './port.js';
import type { TradifySend } from './transport.js';

/** The transport, the page size and the capabilities, shared by every resource of one client. */
export interface TradifyResourceContext {
  send: TradifySend;
  /** Records asked for per list page (`?pageSize=`). */
  pageSize: number;
  capabilities: TradifyCapabilities;
}

/** An `updatedSince` filter as the wire wants it: an ISO-8601 instant. */
export function isoInstant(value: string | Date): string {
  return typeof value === 'string' ? value : value.toISOString();
}

/**
 * Drops `ownerStaffId` when the port does not support it for this entity, and on create when
 * it is null (the contract leaves the field out when null: `docs/tradify-contract.md#records`).
 */
export function withOwner<T extends { ownerStaffId?: string | null | undefined }>(
  input: T,
  capabilities: TradifyCapabilities,
  entity: TradifyCapabilityEntity,
  mode: 'create' | 'update',
): T {
  const drop = !ownersOn(capabilities, entity) || (mode === 'create' && (input.ownerStaffId ?? null) === null);
  if (!drop || !('ownerStaffId' in input)) return input;
  const { ownerStaffId: _dropped, ...rest } = input;
  return rest as T;
}
