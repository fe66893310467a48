/**
 * Reading a port's capabilities per entity.
 *
 * @module
 */
import type { TradifyCapabilities, TradifyEntityCapabilities } from './port.js';

/** The entities a capability may differ on. */
export type TradifyCapabilityEntity = keyof TradifyEntityCapabilities;

/** Whether `flag` (a boolean for both entities, or per entity) holds for `entity`; absent is `false`. */
function capabilityFor(flag: boolean | TradifyEntityCapabilities | undefined, entity: TradifyCapabilityEntity): boolean {
  if (flag === undefined) return false;
  return typeof flag === 'boolean' ? flag : flag[entity] === true;
}

/** Whether the port carries `ownerStaffId` on customers or on invoices. */
export function ownersOn(capabilities: Pick<TradifyCapabilities, 'ownerStaffId'>, entity: TradifyCapabilityEntity): boolean {
  return capabilityFor(capabilities.ownerStaffId, entity);
}

/** Whether the backend itself refuses a duplicate `externalReference` for this entity. */
export function uniqueReferencesOn(capabilities: Pick<TradifyCapabilities, 'uniqueExternalReference'>, entity: TradifyCapabilityEntity): boolean {
  return capabilityFor(capabilities.uniqueExternalReference, entity);
}
