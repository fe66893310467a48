/**
 * Seeded invoices and invoice items whose money is internally consistent, computed with
 * exact decimals ({@link ./money.ts}): each line's `net_price` and `total_including_tax`
 * follow its invoice's calculation method, and the invoice's `net_amount`, `tax_amount`
 * and `total_amount` are the sums of its live lines.
 *
 * @module
 */
import type { FakeInvoiceItemRow, FakeInvoiceRow, FakePatientRow } from './records.js';
import type { Random } from './random.js';
import { createIdSequence, createdInstants, formatTimestamp, laterInstant } from './generate-support.js';
import { divideRounded, formatFixed4, parseFixed4, type Fixed4 } from './money.js';

interface CatalogEntry {
  name: string;
  code: string;
  price: string;
  gst: boolean;
  product: boolean;
}

const CATALOG: readonly CatalogEntry[] = [
  { name: 'Initial consultation', code: 'IC', price: '120.0', gst: false, product: false },
  { name: 'Standard consultation', code: 'SC', price: '95.0', gst: false, product: false },
  { name: 'Extended consultation', code: 'EC', price: '150.5', gst: false, product: false },
  { name: 'Remedial massage (60 min)', code: 'RM60', price: '110.0', gst: true, product: false },
  { name: 'Report writing', code: 'RPT', price: '60.0', gst: true, product: false },
  { name: 'Theraband (red)', code: 'TB-R', price: '15.0', gst: true, product: true },
  { name: 'Foam roller', code: 'FR', price: '39.95', gst: true, product: true },
  { name: 'Hot/cold pack', code: 'HCP', price: '24.5', gst: true, product: true },
];
const SOURCE_ITEM_IDS = CATALOG.map((_, index) => (1_390_053_870_000_000_000n + BigInt(index) * 7919n).toString());

const STATUS_TEXT: Record<number, string> = { 10: 'Open', 20: 'Paid', 30: 'Closed', 40: 'Open credit' };
const METHOD_TEXT: Record<number, string> = { 1: 'Legacy', 2: 'Tax exclusive', 3: 'Tax inclusive' };
const HUNDRED_PERCENT = 100n * 10_000n;
const GST_RATE = parseFixed4('10.0');

/** What the invoice generator needs from the rest of the account. */
export interface InvoiceContext {
  patients: readonly FakePatientRow[];
  practitionerIds: readonly string[];
  businessId: string;
}

/** The computed money of one line. */
interface LineMoney {
  net: Fixed4;
  total: Fixed4;
  discounted: Fixed4;
}

/** Builds `count` invoices and their items, ordered by `created_at` (and id). */
export function generateInvoices(rnd: Random, count: number, context: InvoiceContext): { invoices: FakeInvoiceRow[]; items: FakeInvoiceItemRow[] } {
  const nextInvoiceId = createIdSequence(rnd, count);
  const nextItemId = createIdSequence(rnd, Math.ceil(count * 1.5));
  const nextAppointmentId = createIdSequence(rnd, count);
  const instants = createdInstants(rnd, count, 0);
  const candidates = context.patients.filter((p) => p.merged_at === null);
  const candidateCreatedMs = candidates.map((p) => Date.parse(p.created_at));
  const invoices: FakeInvoiceRow[] = [];
  const items: FakeInvoiceItemRow[] = [];
  for (let i = 0; i < count && candidates.length > 0; i += 1) {
    const instant = instants[i] ?? 0;
    const known = countAtOrBefore(candidateCreatedMs, instant);
    const index = known === 0 ? 0 : rnd.int(0, known - 1);
    const patient = candidates[index] ?? candidates[0]!;
    const createdMs = Math.max(instant, candidateCreatedMs[index] ?? instant);
    const invoice = makeInvoice(rnd, i, nextInvoiceId(), createdMs, patient, context);
    invoice.appointment_id = i % 8 === 5 || invoice.practitioner_id === null ? null : nextAppointmentId();
    const lines = makeLines(rnd, i, invoice, nextItemId);
    applyTotals(invoice, lines);
    invoices.push(invoice);
    items.push(...lines);
  }
  return { invoices, items };
}

/** How many of the ascending `sorted` values are ≤ `limit` (binary search). */
function countAtOrBefore(sorted: readonly number[], limit: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] ?? Infinity) <= limit) low = middle + 1;
    else high = middle;
  }
  return low;
}

function makeInvoice(rnd: Random, i: number, id: string, createdMs: number, patient: FakePatientRow, context: InvoiceContext): FakeInvoiceRow {
  const status = i < 4 ? ([10, 20, 30, 40] as const)[i] ?? 10 : rnd.pick([10, 10, 10, 20, 20, 20, 20, 20, 30, 40]);
  const method = i % 20 === 0 ? 1 : rnd.pick([2, 3]);
  const closedMs = status === 20 || status === 30 ? laterInstant(rnd, createdMs, 30) : null;
  const updatedMs = Math.max(closedMs ?? createdMs, rnd.chance(0.6) ? createdMs : laterInstant(rnd, createdMs, 20));
  const invoice: FakeInvoiceRow = {
    id,
    number: 1000 + i,
    issue_date: formatTimestamp(createdMs + 10 * 3_600_000).slice(0, 10),
    status,
    status_description: STATUS_TEXT[status] ?? null,
    calculation_method: method,
    calculation_method_description: METHOD_TEXT[method] ?? null,
    net_amount: null,
    tax_amount: null,
    total_amount: null,
    discounted_amount: null,
    notes: rnd.pick([null, '', 'Thank you for your visit.']),
    invoice_to: invoiceTo(patient),
    patient_extra_information: patient.invoice_extra_information === '' ? null : patient.invoice_extra_information,
    online_payment_url: null,
    created_at: formatTimestamp(createdMs),
    updated_at: formatTimestamp(updatedMs),
    closed_at: closedMs === null ? null : formatTimestamp(closedMs),
    archived_at: null,
    deleted_at: null,
    patient_id: patient.id,
    practitioner_id: i % 10 === 6 || context.practitionerIds.length === 0 ? null : rnd.pick(context.practitionerIds),
    business_id: context.businessId,
    appointment_id: null,
    attendee_id: null,
    original_invoice_id: null,
  };
  if (i % 50 === 17) invoice.deleted_at = invoice.updated_at = formatTimestamp(laterInstant(rnd, updatedMs, 10));
  else if (i % 97 === 41) invoice.archived_at = invoice.updated_at = formatTimestamp(laterInstant(rnd, updatedMs, 10));
  return invoice;
}

function invoiceTo(patient: FakePatientRow): string {
  const payer = patient.invoice_default_to ? `${patient.invoice_default_to}\r\n` : '';
  const name = [patient.title, patient.first_name, patient.last_name].filter((part) => part).join(' ');
  return `${payer}${name}\r\n${patient.address_1 ?? ''}\r\n${patient.city ?? ''} ${patient.state ?? ''} ${patient.post_code ?? ''}`.trim();
}

function makeLines(rnd: Random, i: number, invoice: FakeInvoiceRow, nextItemId: () => string): FakeInvoiceItemRow[] {
  const lineCount = i % 7 === 3 ? 3 : i % 5 === 1 ? 2 : 1;
  const lines: FakeInvoiceItemRow[] = [];
  for (let n = 0; n < lineCount; n += 1) lines.push(makeLine(rnd, i, n, invoice, nextItemId()));
  if (i % 29 === 11) {
    const removed = makeLine(rnd, i, lineCount, invoice, nextItemId());
    removed.deleted_at = invoice.updated_at;
    lines.push(removed);
  }
  return lines;
}

function makeLine(rnd: Random, i: number, n: number, invoice: FakeInvoiceRow, id: string): FakeInvoiceItemRow {
  const legacy = invoice.calculation_method === 1;
  const golden = legacy && n === 0;
  const catalogIndex = rnd.int(0, CATALOG.length - 1);
  const entry = CATALOG[catalogIndex] ?? CATALOG[0]!;
  const unit = golden ? '100.0' : entry.price;
  const quantity = i % 13 === 0 && !golden ? 2 : 1;
  const discount = golden ? '18.1818' : (i + n) % 9 === 2 ? '10.0' : '0.0';
  const gst = golden || entry.gst;
  const rate = gst ? GST_RATE : 0n;
  const money = invoice.calculation_method === 3
    ? inclusiveLine(parseFixed4(unit), BigInt(quantity) * 10_000n, parseFixed4(discount), rate)
    : exclusiveLine(parseFixed4(unit), BigInt(quantity) * 10_000n, parseFixed4(discount), rate);
  const totalText = formatFixed4(money.total);
  return {
    id,
    name: golden ? 'Standard consultation (legacy)' : entry.name,
    code: golden ? 'SC-L' : entry.code,
    unit_price: unit,
    quantity: legacy ? quantity : formatFixed4(BigInt(quantity) * 10_000n),
    discount_percentage: discount,
    discounted_amount: formatFixed4(money.discounted),
    is_monetary_discount: golden,
    net_price: formatFixed4(money.net),
    tax_name: gst ? 'GST' : 'GST Free',
    tax_rate: legacy ? null : formatFixed4(rate),
    tax_amount: formatFixed4(rate),
    total_including_tax: legacy ? totalText : Number(totalText),
    concession_type_name: null,
    created_at: invoice.created_at,
    updated_at: invoice.updated_at,
    archived_at: invoice.archived_at,
    deleted_at: invoice.deleted_at,
    invoice_id: invoice.id,
    source_item_id: SOURCE_ITEM_IDS[catalogIndex] ?? null,
    is_product: entry.product && !golden,
  };
}

/** Tax exclusive (and legacy): net = unit × qty less the discount, to 3 places; total = net × (1 + rate), to cents. */
export function exclusiveLine(unit: Fixed4, quantity: Fixed4, discountPercent: Fixed4, ratePercent: Fixed4): LineMoney {
  const gross = divideRounded(unit * quantity, 10_000n);
  const net = divideRounded(gross * (HUNDRED_PERCENT - discountPercent), HUNDRED_PERCENT * 10n) * 10n;
  const total = divideRounded(net * (HUNDRED_PERCENT + ratePercent), HUNDRED_PERCENT * 100n) * 100n;
  return { net, total, discounted: gross - net };
}

/** Tax inclusive: total = unit × qty less the discount, to cents; net = total ÷ (1 + rate), to 3 places. */
export function inclusiveLine(unit: Fixed4, quantity: Fixed4, discountPercent: Fixed4, ratePercent: Fixed4): LineMoney {
  const gross = divideRounded(unit * quantity, 10_000n);
  const total = divideRounded(gross * (HUNDRED_PERCENT - discountPercent), HUNDRED_PERCENT * 100n) * 100n;
  const net = divideRounded(total * HUNDRED_PERCENT, (HUNDRED_PERCENT + ratePercent) * 10n) * 10n;
  return { net, total, discounted: gross - total };
}

function applyTotals(invoice: FakeInvoiceRow, lines: readonly FakeInvoiceItemRow[]): void {
  let net = 0n;
  let total = 0n;
  let discounted = 0n;
  for (const line of lines) {
    if (line.deleted_at !== null && invoice.deleted_at === null) continue;
    net += parseFixed4(line.net_price ?? '0');
    total += parseFixed4(String(line.total_including_tax ?? '0'));
    discounted += parseFixed4(line.discounted_amount ?? '0');
  }
  invoice.net_amount = formatFixed4(net);
  invoice.tax_amount = formatFixed4(total - net);
  invoice.total_amount = formatFixed4(total);
  invoice.discounted_amount = formatFixed4(discounted);
}
