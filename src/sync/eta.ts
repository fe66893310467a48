/**
 * How long a sync will take at the two APIs' limits (`docs/architecture.md#long-runs`): Tradify is usually the
 * bottleneck (one write per customer, up to three per invoice), Cliniko at 100 records a page.
 *
 * @module
 */
import { uniqueReferencesOn } from '../tradify/capabilities.js';
import type { TradifyCapabilities } from '../tradify/port.js';

/** What the ETA is computed from. */
export interface EtaInput {
  /** Patients still to read. */
  patientsPending: number;
  /** Invoices still to read. */
  invoicesPending: number;
  /** Cliniko requests per minute. @defaultValue 190 */
  clinikoRpm?: number | undefined;
  /** Tradify requests per minute. @defaultValue 95 */
  tradifyRpm?: number | undefined;
  /** Tradify writes per invoice (create, approve, pay). @defaultValue 3 */
  writesPerInvoice?: number | undefined;
  /**
   * Tradify reads per patient before its customer is created: 1 when the backend does not
   * enforce unique customer references (the engine looks the reference up first).
   * @defaultValue 0
   */
  readsPerPatient?: number | undefined;
  /** The same for invoices. @defaultValue 0 */
  readsPerInvoice?: number | undefined;
}

/** An estimate, with the limit that decides it. */
export interface Eta {
  /** Milliseconds to finish at the limits. */
  ms: number;
  /** Cliniko requests still needed (pages of 100 records, items ride with invoices). */
  clinikoRequests: number;
  /** Tradify writes still needed, at most. */
  tradifyWrites: number;
  /** Tradify reads that writes need, at most (reference look-ups before creates). */
  tradifyReads: number;
  /** Which API's limit decides the estimate. */
  bottleneck: 'cliniko' | 'tradify';
}

/**
 * Estimates the time left from both limits; the larger wins.
 *
 * @example
 * ```ts
 * estimateEta({ patientsPending: 1000, invoicesPending: 1000 }).bottleneck; // 'tradify'
 * ```
 */
export function estimateEta(input: EtaInput): Eta {
  const clinikoRpm = input.clinikoRpm ?? 190;
  const tradifyRpm = input.tradifyRpm ?? 95;
  const perInvoice = input.writesPerInvoice ?? 3;
  const pages = (n: number): number => Math.ceil(Math.max(0, n) / 100);
  // patients pages + invoice pages + item batches (about one per invoice page)
  const clinikoRequests = pages(input.patientsPending) + 2 * pages(input.invoicesPending);
  const patients = Math.max(0, input.patientsPending);
  const invoices = Math.max(0, input.invoicesPending);
  const tradifyWrites = patients + perInvoice * invoices;
  const tradifyReads = patients * (input.readsPerPatient ?? 0) + invoices * (input.readsPerInvoice ?? 0);
  const clinikoMs = (clinikoRequests / clinikoRpm) * 60_000;
  const tradifyMs = ((tradifyWrites + tradifyReads) / tradifyRpm) * 60_000;
  return {
    ms: Math.round(Math.max(clinikoMs, tradifyMs)),
    clinikoRequests,
    tradifyWrites,
    tradifyReads,
    bottleneck: tradifyMs >= clinikoMs ? 'tradify' : 'cliniko',
  };
}

/**
 * The ETA of a run's summary: the records still pending per stream at the engine's rates.
 *
 * @param pending - records still to read, per stream (`RunCounters.pending`).
 * @param rates - Cliniko and Tradify requests per minute (the engine's `rates`).
 * @param capabilities - the port's; where references are not unique, each create costs a read first.
 * @example
 * ```ts
 * runEta({ patients: 0, invoices: 0 }, { cliniko: 190, tradify: 95 }).ms; // 0
 * ```
 */
export function runEta(
  pending: { patients: number; invoices: number },
  rates: { cliniko: number; tradify: number },
  capabilities: Pick<TradifyCapabilities, 'uniqueExternalReference'> = { uniqueExternalReference: true },
): Eta {
  return estimateEta({
    patientsPending: pending.patients,
    invoicesPending: pending.invoices,
    clinikoRpm: rates.cliniko,
    tradifyRpm: rates.tradify,
    readsPerPatient: uniqueReferencesOn(capabilities, 'customers') ? 0 : 1,
    readsPerInvoice: uniqueReferencesOn(capabilities, 'invoices') ? 0 : 1,
  });
}
