/**
 * What the sync would make of a Cliniko invoice, asked of the engine's own mapping
 * (`mapInvoice`, with the engine's filters, invoice callback, tax table and rounding): whether
 * it leaves the invoice out (filtered, vetoed), whether it must stay a draft and why, and the
 * totals of the draft it writes. Reconciliation uses the answer to tell a difference the
 * engine explains from one it does not.
 *
 * @module
 */
import type { ClinikoInvoice } from '../../cliniko/schemas/invoice.js';
import type { ClinikoInvoiceItem } from '../../cliniko/schemas/invoice-item.js';
import { isConfigError } from '../../core/errors.js';
import { resolveMappingConfig } from '../../mapping/config.js';
import type { ResolvedMappingConfig } from '../../mapping/config.js';
import { createMappingContext } from '../../mapping/context.js';
import { mapInvoice } from '../../mapping/invoice.js';
import type { InvoiceMapping } from '../../mapping/invoice.js';
import { checkTaxTable } from '../../mapping/tax.js';
import type { TradifyTaxRate } from '../../tradify/port.js';
import type { ReconcileInternals } from './types.js';

/** The mapping's verdict on one invoice, as staged attributes (all text). */
interface InvoiceExpectation {
  /** `invoice-filtered` or `vetoed` when the sync leaves the invoice out. */
  policy: 'invoice-filtered' | 'vetoed' | null;
  /** `'true'` when the sync never approves it (see `draftWhy`). */
  mustStayDraft: 'true' | 'false';
  /** The mapping finding that keeps it a draft, e.g. `no-live-lines`, `line-unreproducible`. */
  draftWhy: string | null;
  /** The total and GST of the draft the sync writes, 2 places. */
  mappedTotal: string | null;
  mappedTax: string | null;
}

/** Answers {@link InvoiceExpectation} for an invoice and its live items. */
export type ExpectInvoice = (invoice: ClinikoInvoice, items: readonly ClinikoInvoiceItem[]) => InvoiceExpectation;

const UNKNOWN: InvoiceExpectation = { policy: null, mustStayDraft: 'false', draftWhy: null, mappedTotal: null, mappedTax: null };

function draftWhy(mapping: Extract<InvoiceMapping, { status: 'mapped' }>): string | null {
  if (!mapping.mustStayDraft) return null;
  if (mapping.liveItemCount === 0) return 'no-live-lines';
  return mapping.findings.find((f) => f.severity === 'error')?.code ?? 'line-unreproducible';
}

function expectationOf(mapping: InvoiceMapping): InvoiceExpectation {
  if (mapping.status === 'skipped') return { ...UNKNOWN, policy: mapping.reason === 'vetoed' ? 'vetoed' : 'invoice-filtered' };
  if (mapping.status === 'failed') return UNKNOWN;
  const { total, totalTax } = mapping.lines.totals;
  return { policy: null, mustStayDraft: mapping.mustStayDraft ? 'true' : 'false', draftWhy: draftWhy(mapping), mappedTotal: total.toFixed(2), mappedTax: totalTax.toFixed(2) };
}

/** The engine's mapping settings, library defaults for what `internals.mapping` leaves out. */
function mappingConfigOf(internals: Pick<ReconcileInternals, 'mapping'>): ResolvedMappingConfig {
  return { ...resolveMappingConfig({}), ...internals.mapping };
}

/**
 * The engine's mapping as a verdict per invoice. The patient filter is judged elsewhere (from
 * the staged patient), so the mapping is asked as if the patient were synced; the customer is
 * a placeholder (the verdict does not depend on it). When the tax table does not resolve
 * against Tradify's rates (the sync would stop on the same `ConfigError`), every invoice gets
 * the neutral verdict and nothing is explained by it.
 */
export function createInvoiceExpectation(internals: ReconcileInternals, rates: readonly TradifyTaxRate[], now: number): ExpectInvoice {
  const config = mappingConfigOf(internals);
  let taxes: ReturnType<typeof checkTaxTable>;
  try {
    taxes = checkTaxTable(rates, config);
  } catch (error) {
    if (!isConfigError(error)) throw error;
    internals.logger?.warn('reconciliation cannot judge drafts: the tax table does not resolve', { setting: error.setting });
    return () => UNKNOWN;
  }
  const ctx = createMappingContext({ now, timeZone: internals.timeZone, accountId: internals.accountId, capabilities: internals.tradify.capabilities });
  const customer = { id: '', defaultInvoiceDueDays: null };
  return (invoice, items) => expectationOf(mapInvoice({ invoice, items, customer, patientFiltered: false, taxes }, config, ctx));
}
