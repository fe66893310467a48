/**
 * For a backend that does not enforce unique external references
 * (`capabilities.uniqueExternalReference` false for the entity): before a create, the engine
 * reads the record that already holds our reference, so a create repeated after a crash (or
 * after the idempotency key expired) adopts that record instead of making a twin.
 *
 * @module
 */
import { uniqueReferencesOn, type TradifyCapabilityEntity } from '../tradify/capabilities.js';
import type { RunContext } from './streams/context.js';

/**
 * The id of the record of `entity` holding exactly `reference`, or `undefined` when there is
 * none or when the backend itself refuses duplicates (then no read is made).
 */
export async function existingByReference(run: RunContext, entity: TradifyCapabilityEntity, reference: string | null | undefined): Promise<string | undefined> {
  const { tradify } = run.options;
  if (reference === null || reference === undefined || uniqueReferencesOn(tradify.capabilities, entity)) return undefined;
  const stream = entity === 'customers' ? 'patients' : 'invoices';
  return run.read(stream, async () => {
    const listing = entity === 'customers'
      ? tradify.customers.list({ externalReference: reference, includeInactive: true, signal: run.signal })
      : tradify.invoices.list({ externalReference: reference, signal: run.signal });
    for await (const record of listing) if (record.externalReference === reference) return record.id;
    return undefined;
  });
}
