/**
 * The fake Tradify's records and their seed: tax rates, staff and optional trade customers.
 *
 * @module
 */
import { formatCents, lineAmounts, parseScaled } from './money.js';
import type { FakeStaffSeed, FakeTradifyOptions } from './options.js';
import type {
  FakeCustomer,
  FakeInvoice,
  FakeLineItemView,
  FakePayment,
  FakeStaff,
  FakeStoredInvoice,
  FakeTaxRate,
} from './records.js';
import { FakeTable } from './table.js';

/**
 * Everything the fake stores, for assertions and tampering.
 *
 * @example
 * ```ts
 * const invoice = ft.state.invoices.all().find((i) => i.externalReference === 'cliniko:invoice:1');
 * ft.state.invoices.tamper(invoice!.id, { status: 'cancelled' });
 * ```
 */
export interface FakeTradifyState {
  customers: FakeTable<FakeCustomer>;
  /** Stored without amounts; read with the contract's totals, `amountPaid`, `amountDue` and `isOverdue`. */
  invoices: FakeTable<FakeStoredInvoice, FakeInvoice>;
  payments: FakeTable<FakePayment>;
  staff: FakeTable<FakeStaff>;
  taxRates: FakeTable<FakeTaxRate>;
}

/** Deterministic ids: an opaque prefix-tagged string per record. */
export interface IdSource {
  next(prefix: string): string;
}

/** A small seeded random source (mulberry32); `Math.random` is never used. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Ids such as `cus_0001k3j9x2a0`: a sequence for uniqueness, seeded noise for opacity. */
export function createIdSource(random: () => number): IdSource {
  let seq = 0;
  const noise = (): string => Math.floor(random() * 36 ** 6).toString(36).padStart(6, '0');
  return { next: (prefix) => `${prefix}_${(++seq).toString(36).padStart(4, '0')}${noise()}` };
}

/** Sum of a list of cents. */
function sum(values: bigint[]): bigint {
  return values.reduce((a, b) => a + b, 0n);
}

/** Reads a stored invoice with the contract's amounts, given its payments and today's UTC date. */
export function invoiceView(invoice: FakeStoredInvoice, payments: FakePayment[], today: string): FakeInvoice {
  const lines: FakeLineItemView[] = invoice.lineItems.map((line) => {
    const amounts = lineAmounts(
      parseScaled(line.quantity, 2) ?? 0n,
      parseScaled(line.unitPrice, 2) ?? 0n,
      parseScaled(line.discountPercent, 4) ?? 0n,
      parseScaled(line.taxRatePercent ?? 0, 4) ?? 0n,
      invoice.taxMode,
    );
    return {
      ...structuredClone(line),
      amountExTax: formatCents(amounts.amountExTax),
      taxAmount: formatCents(amounts.taxAmount),
      amountIncTax: formatCents(amounts.amountIncTax),
    };
  });
  const subtotal = sum(lines.map((l) => parseScaled(l.amountExTax, 2) ?? 0n));
  const totalTax = sum(lines.map((l) => parseScaled(l.taxAmount, 2) ?? 0n));
  const paid = sum(payments.filter((p) => p.invoiceId === invoice.id).map((p) => parseScaled(p.amount, 2) ?? 0n));
  const credited = parseScaled(invoice.amountCredited, 2) ?? 0n;
  const due = subtotal + totalTax - paid - credited;
  return {
    ...structuredClone(invoice),
    isOverdue: invoice.status === 'approved' && invoice.dueDate !== null && invoice.dueDate < today && due > 0n,
    lineItems: lines,
    subtotal: formatCents(subtotal),
    totalTax: formatCents(totalTax),
    total: formatCents(subtotal + totalTax),
    amountPaid: formatCents(paid),
    amountCredited: formatCents(credited),
    amountDue: formatCents(due),
  };
}

/** The invoice's `amountDue` in cents. */
export function amountDueCents(invoice: FakeInvoice): bigint {
  return parseScaled(invoice.amountDue, 2) ?? 0n;
}

const DEFAULT_STAFF: FakeStaffSeed[] = [
  { name: 'Sam Sparky', email: 'sam@acme.example', username: 'sam.sparky' },
  { name: 'Jo Bloggs', email: 'frontdesk@acme.example', username: 'jo.bloggs' },
  { name: 'Alex Admin', email: 'frontdesk@acme.example', username: 'alex.admin', accessLevel: 'no_access' },
  { name: 'Pat Former', email: 'pat@acme.example', username: 'pat.former', active: false },
];

function staffRecord(seed: FakeStaffSeed, ids: IdSource): FakeStaff {
  return {
    id: seed.id ?? ids.next('stf'),
    name: seed.name,
    email: seed.email ?? null,
    username: seed.username ?? seed.name.toLowerCase().replace(/\s+/g, '.'),
    mobile: seed.mobile ?? null,
    phone: seed.phone ?? null,
    accessLevel: seed.accessLevel ?? 'login',
    licenceNumber: seed.licenceNumber ?? null,
    active: seed.active ?? true,
  };
}

function taxRates(extraZeroRate: boolean): FakeTaxRate[] {
  const rates: FakeTaxRate[] = [
    { id: 'tax_gst', name: 'GST', rate: 10, isDefault: true, isNoTax: false, active: true },
    { id: 'tax_gst_free', name: 'GST Free', rate: 0, isDefault: false, isNoTax: true, active: true },
  ];
  if (extraZeroRate) rates.push({ id: 'tax_no_gst', name: 'No GST', rate: 0, isDefault: false, isNoTax: true, active: true });
  return rates;
}

const FIRST = ['Acme', 'Bright', 'Coastal', 'Delta', 'Evergreen', 'Fitzroy', 'Granite', 'Harbour'];
const SECOND = ['Plumbing', 'Electrical', 'Builders', 'Roofing', 'Landscapes', 'Joinery', 'Tiling', 'Painting'];

function tradeCustomer(n: number, ids: IdSource, random: () => number, at: string): FakeCustomer {
  const pick = (list: string[]): string => list[Math.floor(random() * list.length)] ?? 'Trade';
  const name = `${pick(FIRST)} ${pick(SECOND)} ${n}`;
  return {
    id: ids.next('cus'),
    name,
    contactName: null,
    email: `accounts${n}@trade${n}.example`,
    phone: null,
    mobile: null,
    fax: null,
    physicalAddress: null,
    postalAddress: null,
    pricingLevelId: null,
    defaultInvoiceDueDays: null,
    taxMode: null,
    externalReference: null,
    customFields: { custom1: null, custom2: null, custom3: null, custom4: null },
    ownerStaffId: null,
    active: true,
    createdAt: at,
    updatedAt: at,
  };
}

/** Builds the seeded state. `payments` and `today` feed the invoice view. */
export function createState(options: FakeTradifyOptions, ids: IdSource, random: () => number, now: () => number): FakeTradifyState {
  const payments = new FakeTable<FakePayment>(undefined, (payment) => payment.invoiceId);
  const today = (): string => new Date(now()).toISOString().slice(0, 10);
  const state: FakeTradifyState = {
    customers: new FakeTable<FakeCustomer>(),
    invoices: new FakeTable<FakeStoredInvoice, FakeInvoice>((invoice) =>
      invoiceView(invoice, payments.rowsInGroup(invoice.id).map((row) => row.record), today()),
    ),
    payments,
    staff: new FakeTable<FakeStaff>(),
    taxRates: new FakeTable<FakeTaxRate>(),
  };
  for (const rate of taxRates(options.taxRates?.extraZeroRate === true)) state.taxRates.insert(rate);
  for (const seed of options.staff ?? DEFAULT_STAFF) state.staff.insert(staffRecord(seed, ids));
  const at = new Date(now()).toISOString();
  for (let n = 1; n <= (options.customers ?? 0); n++) state.customers.insert(tradeCustomer(n, ids, random, at));
  return state;
}
