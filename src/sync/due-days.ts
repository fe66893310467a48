/**
 * The Tradify customer's `defaultInvoiceDueDays`, which sets an invoice's due date (due date =
 * issue date + the customer's due days, else the configured default). Kept per patient in the
 * store's hash table (a number, no personal data), learned from every customer we write and
 * from the `updatedSince` customer listing, so reading it costs no Tradify request.
 *
 * @module
 */
import type { TradifyCustomer } from '../tradify/port.js';
import type { HashWrite } from './ports.js';
import type { RunContext } from './streams/context.js';

/** The hash kind under which a patient's customer due days are kept. */
export const DUE_DAYS_KIND = 'customer-due-days';

const PATIENT_REFERENCE = /^cliniko:patient:(\d+)$/;

/** The stored text of a customer's due days (`''` when the customer has none). */
function dueDaysText(customer: TradifyCustomer): string {
  const days = customer.defaultInvoiceDueDays;
  return days === null || days === undefined ? '' : String(days);
}

/** Reads the stored text back; `null` when unset or unreadable. */
function parseDueDays(text: string | undefined): number | null {
  return text !== undefined && /^\d+$/.test(text) ? Number.parseInt(text, 10) : null;
}

/**
 * Notes the due days of the customer linked to `patientId` (this run's cache) and returns the
 * hash write that keeps them.
 */
export function noteDueDays(run: RunContext, patientId: string, customer: TradifyCustomer): HashWrite {
  const text = dueDaysText(customer);
  run.dueDays.set(patientId, parseDueDays(text));
  return { kind: DUE_DAYS_KIND, clinikoId: patientId, hash: text };
}

/** The hash write for a listed customer carrying our patient reference, else `undefined`. */
export function dueDaysFromListing(run: RunContext, customer: TradifyCustomer): HashWrite | undefined {
  const patientId = PATIENT_REFERENCE.exec(customer.externalReference ?? '')?.[1];
  return patientId === undefined ? undefined : noteDueDays(run, patientId, customer);
}

/** Loads the stored due days of these patients into the run's cache (one store read). */
export async function loadDueDays(run: RunContext, patientIds: readonly string[]): Promise<void> {
  const missing = [...new Set(patientIds)].filter((id) => !run.dueDays.has(id));
  if (missing.length === 0) return;
  const stored = await run.options.store.hashes.getMany(run.accountId, DUE_DAYS_KIND, missing, { signal: run.signal });
  for (const id of missing) run.dueDays.set(id, parseDueDays(stored.get(id)));
}

/** The due days of the patient's customer, `null` when it has none (the default then applies). */
export async function dueDaysOf(run: RunContext, patientId: string): Promise<number | null> {
  await loadDueDays(run, [patientId]);
  return run.dueDays.get(patientId) ?? null;
}
