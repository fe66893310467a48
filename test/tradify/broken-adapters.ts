/**
 * Deliberately broken `TradifyPort` adapters: each wraps a working port and breaks one rule
 * the engine relies on, the way a real adapter over another backend might.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  isConflictError,
  isNotFoundError,
  type TradifyCreateOptions,
  type TradifyInvoice,
  type TradifyInvoiceInput,
  type TradifyInvoicePatch,
  type TradifyListing,
  type TradifyPayment,
  type TradifyPort,
} from 'cliniko-tradify';

/** Wraps a working port into a broken one. */
export type Break = (port: TradifyPort) => TradifyPort;

function listingOf<T>(pages: () => AsyncIterable<T[]>): TradifyListing<T> {
  return {
    pages,
    async *[Symbol.asyncIterator]() {
      for await (const page of pages()) yield* page;
    },
  };
}

/** The same listing with every page passed through `f`. */
function mapPages<T, U>(listing: TradifyListing<T>, f: (page: T[]) => U[]): TradifyListing<U> {
  return listingOf(async function* () {
    for await (const page of listing.pages()) yield f(page);
  });
}

function firstPageOnly<T>(listing: TradifyListing<T>): TradifyListing<T> {
  return listingOf(async function* () {
    for await (const page of listing.pages()) {
      yield page;
      return;
    }
  });
}

const withKey = (options: TradifyCreateOptions | undefined, idempotencyKey: string | undefined): TradifyCreateOptions => ({ signal: options?.signal, idempotencyKey });

export const ignoresIdempotencyKey: Break = (port) => ({
  ...port,
  customers: { ...port.customers, create: (input, o) => port.customers.create(input, withKey(o, undefined)) },
  invoices: { ...port.invoices, create: (input, o) => port.invoices.create(input, withKey(o, undefined)) },
  payments: { ...port.payments, add: (id, input, o) => port.payments.add(id, input, withKey(o, undefined)) },
});

/** Invoice creates under a fresh random key each time: a repeat makes (or tries) a second invoice. */
export const randomInvoiceKey: Break = (port) => ({
  ...port,
  invoices: { ...port.invoices, create: (input, o) => port.invoices.create(input, withKey(o, randomUUID())) },
});

export const randomPaymentKey: Break = (port) => ({
  ...port,
  payments: { ...port.payments, add: (id, input, o) => port.payments.add(id, input, withKey(o, randomUUID())) },
});

/** Scopes each key by the input, so the same key with another input creates a second record. */
export const keyScopedByInput: Break = (port) => {
  const scoped = (o: TradifyCreateOptions | undefined, input: unknown) =>
    withKey(o, o?.idempotencyKey && `${o.idempotencyKey}:${createHash('sha256').update(JSON.stringify(input)).digest('hex').slice(0, 16)}`);
  return {
    ...port,
    customers: { ...port.customers, create: (input, o) => port.customers.create(input, scoped(o, input)) },
    invoices: { ...port.invoices, create: (input, o) => port.invoices.create(input, scoped(o, input)) },
    payments: { ...port.payments, add: (id, input, o) => port.payments.add(id, input, scoped(o, input)) },
  };
};

/** Reports a duplicate reference as a conflict without saying which record holds it. */
export const losesExistingId: Break = (port) => {
  const rethrow = (error: unknown): never => {
    if (isConflictError(error)) throw Object.assign(new Error(error.message), { name: 'ConflictError', code: 'conflict', reason: error.reason });
    throw error;
  };
  return {
    ...port,
    customers: { ...port.customers, create: (input, o) => port.customers.create(input, o).catch(rethrow) },
    invoices: { ...port.invoices, create: (input, o) => port.invoices.create(input, o).catch(rethrow) },
  };
};

/** A backend that does not check references on update: the taken reference is dropped silently. */
export const noReferenceCheckOnCustomerUpdate: Break = (port) => ({
  ...port,
  customers: {
    ...port.customers,
    async update(id, patch, o) {
      try {
        return await port.customers.update(id, patch, o);
      } catch (error) {
        if (!isConflictError(error) || error.existingId === undefined) throw error;
        const { externalReference, ...rest } = patch;
        return { ...(await port.customers.update(id, rest, o)), externalReference: externalReference ?? null };
      }
    },
  },
});

export const readsOnlyTheFirstPage: Break = (port) => ({
  ...port,
  customers: { ...port.customers, list: (q) => firstPageOnly(port.customers.list(q)) },
  invoices: { ...port.invoices, list: (q) => firstPageOnly(port.invoices.list(q)) },
  payments: { ...port.payments, list: (id, o) => firstPageOnly(port.payments.list(id, o)) },
});

export const customersIgnoreUpdatedSince: Break = (port) => ({
  ...port,
  customers: { ...port.customers, list: (q) => port.customers.list({ ...q, updatedSince: undefined }) },
});

/** `?email=` as a substring search. */
export const emailBySubstring: Break = (port) => ({
  ...port,
  customers: {
    ...port.customers,
    list: (q) => {
      const email = q?.email;
      if (email === undefined) return port.customers.list(q);
      return mapPages(port.customers.list({ ...q, email: undefined }), (page) => page.filter((c) => c.email?.includes(email)));
    },
  },
});

export const invoicesIgnoreCustomerId: Break = (port) => ({
  ...port,
  invoices: { ...port.invoices, list: (q) => port.invoices.list({ ...q, customerId: undefined }) },
});

export const invoicesIgnoreUpdatedSince: Break = (port) => ({
  ...port,
  invoices: { ...port.invoices, list: (q) => port.invoices.list({ ...q, updatedSince: undefined }) },
});

export const ignoresOverdue: Break = (port) => ({
  ...port,
  invoices: { ...port.invoices, list: (q) => port.invoices.list(q?.status === 'overdue' ? { ...q, status: undefined } : q) },
});

export const dropsInactiveCustomers: Break = (port) => ({
  ...port,
  customers: { ...port.customers, list: (q) => mapPages(port.customers.list(q), (page) => page.filter((c) => c.active)) },
});

export const editsApprovedInvoices: Break = (port) => ({
  ...port,
  invoices: {
    ...port.invoices,
    async update(id, patch, o) {
      try {
        return await port.invoices.update(id, patch, o);
      } catch (error) {
        if (!isConflictError(error)) throw error;
        const current = await port.invoices.retrieve(id, o);
        return { ...current, ...patch } as TradifyInvoice;
      }
    },
  },
});

/** Approving an approved invoice answers it as it is. */
export const approvesTwice: Break = (port) => ({
  ...port,
  invoices: {
    ...port.invoices,
    approve: (id, o) => port.invoices.approve(id, o).catch(async (error: unknown) => (isConflictError(error) ? port.invoices.retrieve(id, o) : Promise.reject(error))),
  },
});

/** Deleting an approved invoice cancels it instead of refusing. */
export const deleteCancelsApproved: Break = (port) => ({
  ...port,
  invoices: {
    ...port.invoices,
    delete: async (id, o) => {
      try {
        await port.invoices.delete(id, o);
      } catch (error) {
        if (!isConflictError(error)) throw error;
        await port.invoices.cancel(id, o);
      }
    },
  },
});

/** A backend that cannot delete payments; the adapter says it did. */
export const paymentDeleteIsANoOp: Break = (port) => ({
  ...port,
  payments: { ...port.payments, delete: () => Promise.resolve() },
});

/** A backend that clears the reference of a cancelled invoice. */
export const cancelClearsReference: Break = (port) => ({
  ...port,
  invoices: {
    ...port.invoices,
    cancel: async (id, o) => ({ ...(await port.invoices.cancel(id, o)), externalReference: null }),
    list: (q) => mapPages(port.invoices.list(q), (page) => page.map((i) => (i.status === 'cancelled' ? { ...i, externalReference: null } : i)).filter((i) => q?.externalReference === undefined || i.externalReference === q.externalReference)),
  },
});

/** Numeric ids, consistently: every id out becomes a number, every id in is mapped back. */
export const numericIds: Break = (port) => {
  const toNumber = new Map<string, number>();
  const toString = new Map<number, string>();
  const out = (id: string): number => {
    if (!toNumber.has(id)) {
      toNumber.set(id, toNumber.size + 1);
      toString.set(toNumber.size, id);
    }
    return toNumber.get(id) as number;
  };
  const back = (id: unknown): string => (typeof id === 'number' ? (toString.get(id) ?? String(id)) : String(id));
  const ID_FIELDS = new Set(['id', 'customerId', 'invoiceId', 'taxRateId', 'ownerStaffId']);
  const convert = <T>(value: T): T => {
    if (Array.isArray(value)) return value.map(convert) as T;
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, ID_FIELDS.has(k) && typeof v === 'string' ? out(v) : convert(v)])) as T;
  };
  const unconvert = <T>(value: T): T => {
    if (Array.isArray(value)) return value.map(unconvert) as T;
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, ID_FIELDS.has(k) && typeof v === 'number' ? back(v) : unconvert(v)])) as T;
  };
  const listing = <T>(l: TradifyListing<T>): TradifyListing<T> => mapPages(l, (page) => convert(page));
  return {
    capabilities: port.capabilities,
    customers: {
      list: (q) => listing(port.customers.list(q)),
      retrieve: async (id, o) => convert(await port.customers.retrieve(back(id), o)),
      create: async (input, o) => convert(await port.customers.create(unconvert(input), o)),
      update: async (id, patch, o) => convert(await port.customers.update(back(id), unconvert(patch), o)),
    },
    invoices: {
      list: (q) => listing(port.invoices.list(unconvert(q ?? {}))),
      retrieve: async (id, o) => convert(await port.invoices.retrieve(back(id), o)),
      create: async (input, o) => convert(await port.invoices.create(unconvert(input), o)),
      update: async (id, patch, o) => convert(await port.invoices.update(back(id), unconvert(patch), o)),
      delete: (id, o) => port.invoices.delete(back(id), o),
      approve: async (id, o) => convert(await port.invoices.approve(back(id), o)),
      cancel: async (id, o) => convert(await port.invoices.cancel(back(id), o)),
    },
    payments: {
      list: (id, o) => listing(port.payments.list(back(id), o)),
      add: async (id, input, o) => convert(await port.payments.add(back(id), input, o)),
      delete: (id, pid, o) => port.payments.delete(back(id), back(pid), o),
    },
    staff: { list: (o) => listing(port.staff.list(o)) },
    taxRates: { list: (o) => listing(port.taxRates.list(o)) },
  };
};

const MONEY_FIELDS = new Set(['amountExTax', 'taxAmount', 'amountIncTax', 'subtotal', 'totalTax', 'total', 'amountPaid', 'amountCredited', 'amountDue', 'unitPrice', 'quantity']);

/** Money as JavaScript numbers, summed in floating point. */
export const floatMoney: Break = (port) => {
  const floaty = (invoice: TradifyInvoice): TradifyInvoice => {
    const lines = invoice.lineItems.map((l) => Object.fromEntries(Object.entries(l).map(([k, v]) => [k, MONEY_FIELDS.has(k) ? Number(v) : v]))) as unknown as TradifyInvoice['lineItems'];
    const sum = (f: string) => lines.reduce((acc, l) => acc + (l as unknown as Record<string, number>)[f]!, 0);
    return { ...invoice, lineItems: lines, subtotal: sum('amountExTax'), totalTax: sum('taxAmount'), total: sum('amountIncTax') } as unknown as TradifyInvoice;
  };
  return {
    ...port,
    invoices: {
      ...port.invoices,
      retrieve: async (id, o) => floaty(await port.invoices.retrieve(id, o)),
      create: async (input, o) => floaty(await port.invoices.create(input, o)),
    },
  };
};

const withoutTaxMode = <T extends TradifyInvoiceInput | TradifyInvoicePatch>(input: T): T => {
  const { taxMode: _dropped, ...rest } = input;
  return rest as T;
};

/** Never passes `taxMode` on: every invoice is in the backend's default mode. */
export const ignoresTaxMode: Break = (port) => ({
  ...port,
  invoices: {
    ...port.invoices,
    create: (input, o) => port.invoices.create(withoutTaxMode(input), o),
    update: (id, patch, o) => port.invoices.update(id, withoutTaxMode(patch), o),
  },
});

/** A backend without a no-tax mode: `no_tax` becomes `exclusive` at the default rate. */
export const noTaxAsExclusive: Break = (port) => ({
  ...port,
  invoices: { ...port.invoices, create: (input, o) => port.invoices.create(input.taxMode === 'no_tax' ? { ...input, taxMode: 'exclusive' } : input, o) },
});

/** Money formatted with `String(Number(x))`: `"110.00"` comes out as `"110"`. */
export const moneyWithoutTrailingZeros: Break = (port) => {
  const strip = (value: string): string => String(Number(value));
  const fix = (invoice: TradifyInvoice): TradifyInvoice => ({
    ...invoice,
    subtotal: strip(invoice.subtotal),
    totalTax: strip(invoice.totalTax),
    total: strip(invoice.total),
    amountDue: strip(invoice.amountDue),
    lineItems: invoice.lineItems.map((l) => ({ ...l, amountExTax: strip(l.amountExTax), amountIncTax: strip(l.amountIncTax) })),
  });
  const fixPayment = (p: TradifyPayment): TradifyPayment => ({ ...p, amount: strip(p.amount) });
  return {
    ...port,
    invoices: {
      ...port.invoices,
      create: async (input, o) => fix(await port.invoices.create(input, o)),
      retrieve: async (id, o) => fix(await port.invoices.retrieve(id, o)),
      approve: async (id, o) => fix(await port.invoices.approve(id, o)),
      list: (q) => mapPages(port.invoices.list(q), (page) => page.map(fix)),
    },
    payments: { ...port.payments, add: async (id, input, o) => fixPayment(await port.payments.add(id, input, o)) },
  };
};

/** `lineItems` on update appended to the invoice's lines instead of replacing them. */
export const appendsLineItems: Break = (port) => ({
  ...port,
  invoices: {
    ...port.invoices,
    async update(id, patch, o) {
      if (patch.lineItems === undefined) return port.invoices.update(id, patch, o);
      const current = await port.invoices.retrieve(id, o);
      const kept = current.lineItems.map((l) => ({ description: l.description, quantity: l.quantity, unitPrice: l.unitPrice, discountPercent: l.discountPercent, taxRateId: l.taxRateId }));
      return port.invoices.update(id, { ...patch, lineItems: [...kept, ...patch.lineItems] }, o);
    },
  },
});

/** A backend that keeps discounts to 2 places. */
export const twoPlaceDiscount: Break = (port) => ({
  ...port,
  invoices: {
    ...port.invoices,
    create: (input, o) => port.invoices.create({ ...input, lineItems: input.lineItems.map((l) => (l.discountPercent === undefined ? l : { ...l, discountPercent: Number(l.discountPercent).toFixed(2) })) }, o),
  },
});

/** A backend without credit lines: a negative price is sent as positive. */
export const positivePrices: Break = (port) => ({
  ...port,
  invoices: { ...port.invoices, create: (input, o) => port.invoices.create({ ...input, lineItems: input.lineItems.map((l) => ({ ...l, unitPrice: l.unitPrice.replace(/^-/, '') })) }, o) },
});

export const hidesNoTaxRate: Break = (port) => ({
  ...port,
  taxRates: { list: (o) => mapPages(port.taxRates.list(o), (page) => page.filter((r) => !r.isNoTax)) },
});

export const staffWithoutEmails: Break = (port) => ({
  ...port,
  staff: { list: (o) => mapPages(port.staff.list(o), (page) => page.map((s) => ({ ...s, email: null }))) },
});

/** Payments of an unknown invoice listed as none instead of NotFoundError. */
export const unknownInvoiceHasNoPayments: Break = (port) => ({
  ...port,
  payments: {
    ...port.payments,
    list: (id, o) =>
      listingOf(async function* () {
        try {
          for await (const page of port.payments.list(id, o).pages()) yield page;
        } catch (error) {
          if (!isNotFoundError(error)) throw error;
        }
      }),
  },
});

/** Answers a customer create with another record's reference (as if it replayed someone else's request). */
export const answersWithAnotherReference: Break = (port) => ({
  ...port,
  customers: {
    ...port.customers,
    create: async (input, o) => ({ ...(await port.customers.create(input, o)), externalReference: `${input.externalReference ?? ''}:other` }),
  },
});
