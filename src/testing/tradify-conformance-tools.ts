/**
 * What the `TradifyPort` conformance checks are written with: a port wrapper that names the
 * method and input of any call that fails, assertions whose failures say what was expected,
 * and fixtures. Independent of the client (no schema or decimal imports), so a misreading in
 * one is caught by the other.
 *
 * @internal
 * @module
 */
import type {
  TradifyInvoice,
  TradifyInvoiceInput,
  TradifyLineItemInput,
  TradifyListing,
  TradifyPort,
} from '../tradify/port.js';

/** The runner's `expect`, as the suite uses it. */
export type ExpectFn = (actual: unknown) => { toEqual(expected: unknown): void };

/** A call of the port: `customers.create` and its arguments. */
export interface PortCall {
  method: string;
  input?: unknown;
}

/** The refusal a call must meet: an error class by name (any error when absent) and its fields. */
interface Refusal {
  name?: string | undefined;
  reason?: string | undefined;
  existingId?: string | undefined;
}

const PREFIX = 'TradifyPort conformance:';

/** Text for a failure message: JSON, shortened. The inputs are the suite's own test data. */
function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  let text: string;
  try {
    text = JSON.stringify(value, (_key, v: unknown) => (v instanceof Date ? v.toISOString() : v)) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

function describeCall(call: PortCall): string {
  const args = Array.isArray(call.input) ? call.input.map(show).join(', ') : call.input === undefined ? '' : show(call.input);
  return `${call.method}(${args})`;
}

/** A call of the port that was expected to succeed and did not; the original error is `cause`. */
class PortCallFailed extends Error {
  override readonly name = 'PortCallFailed';
  readonly original: unknown;
  constructor(call: PortCall, original: unknown) {
    super(`${PREFIX} ${describeCall(call)} failed with ${errorText(original)}; expected it to succeed`, { cause: original });
    this.original = original;
  }
}

function errorText(error: unknown): string {
  const name = field(error, 'name');
  const parts = [typeof name === 'string' ? name : typeof error];
  for (const key of ['code', 'reason', 'existingId']) {
    const value = field(error, key);
    if (typeof value === 'string') parts.push(`${key} ${value}`);
  }
  const message = field(error, 'message');
  return `${parts.join(', ')}${typeof message === 'string' ? ` ("${message}")` : ''}`;
}

/** A field of a thrown value, whatever it is. */
function field(error: unknown, name: string): unknown {
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[name] : undefined;
}

/** Fails the check with a message naming the call, what was expected and what came. */
export function failCheck(call: PortCall, expected: string, ...actual: [unknown?]): never {
  const got = actual.length > 0 ? `, got ${show(actual[0])}` : '';
  throw new Error(`${PREFIX} ${describeCall(call)}: expected ${expected}${got}`);
}

function isListing(value: unknown): value is TradifyListing<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { pages?: unknown }).pages === 'function' && Symbol.asyncIterator in value;
}

function annotatedListing(call: PortCall, listing: TradifyListing<unknown>): TradifyListing<unknown> {
  async function* pages(): AsyncGenerator<unknown[]> {
    try {
      for await (const page of listing.pages()) yield page;
    } catch (error) {
      throw new PortCallFailed(call, error);
    }
  }
  return {
    pages,
    async *[Symbol.asyncIterator]() {
      for await (const page of pages()) yield* page;
    },
  };
}

function annotatedResult(call: PortCall, result: unknown): unknown {
  if (result instanceof Promise) return result.catch((error: unknown) => Promise.reject(new PortCallFailed(call, error)));
  return isListing(result) ? annotatedListing(call, result) : result;
}

function annotatedResource<T extends object>(name: string, resource: T): T {
  return new Proxy(resource, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        const call = { method: `${name}.${property}`, input: args };
        try {
          return annotatedResult(call, (value as (...a: unknown[]) => unknown).apply(target, args));
        } catch (error) {
          throw new PortCallFailed(call, error);
        }
      };
    },
  });
}

/** The port with every failing call rethrown as a {@link PortCallFailed} naming the method and its input. */
export function annotatedPort(port: TradifyPort): TradifyPort {
  return {
    capabilities: port.capabilities,
    customers: annotatedResource('customers', port.customers),
    invoices: annotatedResource('invoices', port.invoices),
    payments: annotatedResource('payments', port.payments),
    staff: annotatedResource('staff', port.staff),
    taxRates: annotatedResource('taxRates', port.taxRates),
  };
}

/** What every check gets. */
export interface CheckTools {
  /** How many records make more than one page. */
  readonly recordsBeyondOnePage: number;
  /** A label unique in this process, e.g. for an `externalReference`. */
  unique(label: string): string;
  /** `actual` must equal `expected` (deeply, by the runner's `toEqual`). */
  equal(call: PortCall, what: string, actual: unknown, expected: unknown): void;
  /** The call must be refused as `expected` says; returns the error. */
  refused(call: PortCall, attempt: Promise<unknown>, expected: Refusal): Promise<unknown>;
}

/** The tools for one check, over the runner's `expect`. */
export function checkTools(expect: ExpectFn, recordsBeyondOnePage: number, unique: (label: string) => string): CheckTools {
  return {
    recordsBeyondOnePage,
    unique,
    equal(call, what, actual, expected) {
      try {
        expect(actual).toEqual(expected);
      } catch {
        failCheck(call, `${what} to be ${show(expected)}`, actual);
      }
    },
    async refused(call, attempt, expected) {
      let error: unknown;
      try {
        await attempt;
      } catch (caught) {
        error = caught instanceof PortCallFailed ? caught.original : caught;
      }
      const wanted = refusalText(expected);
      if (error === undefined) failCheck(call, `it to be refused with ${wanted}, but it succeeded`);
      const matches = (expected.name === undefined || field(error, 'name') === expected.name) &&
        (expected.reason === undefined || field(error, 'reason') === expected.reason) &&
        (expected.existingId === undefined || field(error, 'existingId') === expected.existingId);
      if (!matches) failCheck(call, `it to be refused with ${wanted}, but it was refused with ${errorText(error)}`);
      return error;
    },
  };
}

function refusalText(expected: Refusal): string {
  const fields = [expected.reason && `reason '${expected.reason}'`, expected.existingId && `existingId '${expected.existingId}'`].filter(Boolean);
  return `${expected.name ?? 'an error'}${fields.length > 0 ? ` with ${fields.join(' and ')}` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Decimals, written without the library's Decimal

/** `"099.900"` → `"99.9"`; `undefined` for anything not a decimal string. */
function normalDecimal(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^-?\d+(\.\d+)?$/.test(value)) return undefined;
  const negative = value.startsWith('-');
  const [whole = '0', fraction = ''] = value.replace('-', '').split('.');
  const w = whole.replace(/^0+(?=\d)/, '');
  const f = fraction.replace(/0+$/, '');
  const out = f ? `${w}.${f}` : w;
  return negative && out !== '0' ? `-${out}` : out;
}

/** The value as a normal decimal, or a failure naming the call and the field. */
export function decimalOf(call: PortCall, what: string, value: unknown): string {
  return normalDecimal(value) ?? failCheck(call, `${what} to be a decimal string`, value);
}

/** Money in the port: a decimal string with exactly two places. */
export function isMoneyText(value: unknown): boolean {
  return typeof value === 'string' && /^-?\d+\.\d{2}$/.test(value);
}

// ---------------------------------------------------------------------------------------------
// Fixtures

/** Reads every record of a listing. */
export async function collect<T>(listing: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of listing) out.push(item);
  return out;
}

/** The ids of records, in order. */
export function idsOf(records: ReadonlyArray<{ id: string }>): string[] {
  return records.map((r) => r.id);
}

/** The backend's default tax rate (the suite assumes 10 % GST). */
async function defaultTaxRateId(port: TradifyPort): Promise<string> {
  const rates = await collect(port.taxRates.list());
  return rates.find((r) => r.isDefault)?.id ?? failCheck({ method: 'taxRates.list' }, 'one rate with isDefault', rates);
}

/** A customer with a unique reference. */
export async function newCustomer(port: TradifyPort, t: CheckTools, label: string, extra: { email?: string } = {}) {
  return port.customers.create({ name: `Conformance ${label}`, externalReference: t.unique(label), ...extra });
}

/** One 100.00 consultation. */
const ONE_LINE: TradifyLineItemInput[] = [{ description: 'Consultation', quantity: '1', unitPrice: '100.00' }];

/** The input of an exclusive draft for `customerId`, every line at the default rate unless `no_tax`. */
export async function invoiceInput(
  port: TradifyPort,
  t: CheckTools,
  customerId: string,
  lines: TradifyLineItemInput[] = ONE_LINE,
  extra: Partial<TradifyInvoiceInput> = {},
): Promise<TradifyInvoiceInput> {
  const taxRateId = extra.taxMode === 'no_tax' ? null : await defaultTaxRateId(port);
  return {
    customerId,
    invoiceDate: '2026-03-02',
    dueDate: '2026-03-16',
    taxMode: 'exclusive',
    externalReference: t.unique('invoice'),
    lineItems: lines.map((line) => ({ taxRateId, ...line })),
    ...extra,
  };
}

/** A draft for a new customer. */
export async function draftInvoice(
  port: TradifyPort,
  t: CheckTools,
  lines: TradifyLineItemInput[] = ONE_LINE,
  extra: Partial<TradifyInvoiceInput> = {},
): Promise<TradifyInvoice> {
  const customer = await newCustomer(port, t, 'invoice-customer');
  return port.invoices.create(await invoiceInput(port, t, customer.id, lines, extra));
}

/** An approved invoice for a new customer. */
export async function approvedInvoice(port: TradifyPort, t: CheckTools, lines: TradifyLineItemInput[] = ONE_LINE, extra: Partial<TradifyInvoiceInput> = {}): Promise<TradifyInvoice> {
  return port.invoices.approve((await draftInvoice(port, t, lines, extra)).id);
}

/** Whether the backend refuses duplicate references for this entity (absent: it does not). */
export function enforcesUniqueReferences(port: TradifyPort, entity: 'customers' | 'invoices'): boolean {
  const flag = port.capabilities.uniqueExternalReference;
  return typeof flag === 'boolean' ? flag : flag?.[entity] === true;
}
