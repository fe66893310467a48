import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HttpTradifyClient } from 'cliniko-tradify';
import { runTradifyPortConformance, startFakeTradify, TRADIFY_CONFORMANCE_CHECKS } from 'cliniko-tradify/testing';
import type { TradifyConformanceCheck, TradifyPortUnderTest } from 'cliniko-tradify/testing';
import { isConflictError } from '../../src/core/errors.js';
import type { TradifyInvoice, TradifyListing, TradifyPort } from '../../src/tradify/port.js';
import { silentLogger } from '../../src/core/logger.js';

/** A fresh fake and a client paging by 2, paced fast enough for tests. */
async function realPort(): Promise<TradifyPortUnderTest & { port: HttpTradifyClient }> {
  const fake = await startFakeTradify({ seed: 7, rateLimit: false, apiKey: `conformance-${randomUUID()}` });
  const port = new HttpTradifyClient({
    apiKey: fake.apiKey,
    baseUrl: fake.url,
    pageSize: 2,
    requestsPerMinute: 600_000,
    logger: silentLogger,
  });
  return { port, close: () => fake.close() };
}

// The suite passing for the real client against the fake.
runTradifyPortConformance({ describe, it, expect }, realPort, { title: 'HttpTradifyClient + fake Tradify conformance' });

// ---------------------------------------------------------------------------------------------
// Deliberately broken adapters: each wraps the real client and breaks one rule.

type Break = (port: TradifyPort) => TradifyPort;

function listingOf<T>(pages: () => AsyncIterable<T[]>): TradifyListing<T> {
  return {
    pages,
    async *[Symbol.asyncIterator]() {
      for await (const page of pages()) yield* page;
    },
  };
}

function firstPageOnly<T>(listing: TradifyListing<T>): TradifyListing<T> {
  return listingOf(async function* () {
    for await (const page of listing.pages()) {
      yield page;
      return;
    }
  });
}

const ignoresIdempotencyKey: Break = (port) => ({
  ...port,
  customers: { ...port.customers, create: (input, o) => port.customers.create(input, { signal: o?.signal }) },
  invoices: { ...port.invoices, create: (input, o) => port.invoices.create(input, { signal: o?.signal }) },
  payments: { ...port.payments, add: (id, input, o) => port.payments.add(id, input, { signal: o?.signal }) },
});

const readsOnlyTheFirstPage: Break = (port) => ({
  ...port,
  customers: { ...port.customers, list: (q) => firstPageOnly(port.customers.list(q)) },
  invoices: { ...port.invoices, list: (q) => firstPageOnly(port.invoices.list(q)) },
});

const editsApprovedInvoices: Break = (port) => ({
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

/** Numeric ids, consistently: every id out becomes a number, every id in is mapped back. */
const numericIds: Break = (port) => {
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
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, ID_FIELDS.has(k) && typeof v === 'string' ? out(v) : convert(v)]),
    ) as T;
  };
  const unconvert = <T>(value: T): T => {
    if (Array.isArray(value)) return value.map(unconvert) as T;
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, ID_FIELDS.has(k) && typeof v === 'number' ? back(v) : unconvert(v)])) as T;
  };
  const listing = <T>(l: TradifyListing<T>): TradifyListing<T> =>
    listingOf(async function* () {
      for await (const page of l.pages()) yield convert(page);
    });
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
      list: async (id, o) => convert(await port.payments.list(back(id), o)),
      add: async (id, input, o) => convert(await port.payments.add(back(id), input, o)),
      delete: (id, pid, o) => port.payments.delete(back(id), back(pid), o),
    },
    staff: { list: async (o) => convert(await port.staff.list(o)) },
    taxRates: { list: async (o) => convert(await port.taxRates.list(o)) },
  };
};

const MONEY_FIELDS = new Set(['amountExTax', 'taxAmount', 'amountIncTax', 'subtotal', 'totalTax', 'total', 'amountPaid', 'amountCredited', 'amountDue', 'unitPrice', 'quantity']);

/** Money as JavaScript numbers, summed in floating point. */
const floatMoney: Break = (port) => {
  const floaty = (invoice: TradifyInvoice): TradifyInvoice => {
    const lines = invoice.lineItems.map((l) =>
      Object.fromEntries(Object.entries(l).map(([k, v]) => [k, MONEY_FIELDS.has(k) ? Number(v) : v])),
    ) as unknown as TradifyInvoice['lineItems'];
    const sum = (field: string) => lines.reduce((acc, l) => acc + (l as unknown as Record<string, number>)[field]!, 0);
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

/** Answers a customer create with a record carrying another reference (a confused gateway). */
const answersWithAnotherRecord: Break = (port) => ({
  ...port,
  customers: { ...port.customers, create: async (input, o) => ({ ...(await port.customers.create(input, o)), externalReference: 'someone-else' }) },
});

const dropsInactiveCustomers: Break = (port) => ({
  ...port,
  customers: {
    ...port.customers,
    list: (q) =>
      listingOf(async function* () {
        for await (const page of port.customers.list(q).pages()) yield page.filter((c) => c.active);
      }),
  },
});

/** Runs every check of the suite against `makePort` with a tiny in-test runner; returns the failed check names. */
async function failedChecks(makePort: () => Promise<TradifyPortUnderTest>): Promise<string[]> {
  const checks: Array<[string, () => Promise<void>]> = [];
  runTradifyPortConformance(
    { describe: (_title, body) => body(), it: (name, body) => void checks.push([name, body]), expect },
    makePort,
  );
  const failed: string[] = [];
  for (const [name, body] of checks) {
    try {
      await body();
    } catch {
      failed.push(name);
    }
  }
  return failed;
}

describe('the conformance suite catches broken adapters, each on a named check', () => {
  const table: Array<[string, Break, TradifyConformanceCheck]> = [
    ['ignores Idempotency-Key', ignoresIdempotencyKey, 'idempotentCreate'],
    ['reads only the first page', readsOnlyTheFirstPage, 'readsEveryPage'],
    ['edits an approved invoice (skips the state check)', editsApprovedInvoices, 'approvedInvoiceRefusesEdits'],
    ['numeric ids', numericIds, 'idsAreStrings'],
    ['float money', floatMoney, 'exactMoney'],
    ['drops inactive customers', dropsInactiveCustomers, 'includeInactive'],
    ['answers a create with another record', answersWithAnotherRecord, 'createEchoesRequest'],
  ];

  it.each(table)('an adapter that %s fails the named check', async (_label, breakIt, check) => {
    const failed = await failedChecks(async () => {
      const subject = await realPort();
      return { port: breakIt(subject.port), close: subject.close };
    });
    expect(failed).toContain(TRADIFY_CONFORMANCE_CHECKS[check]);
    // The breakage is caught where it lives, not by the whole suite collapsing.
    expect(failed.length).toBeLessThan(Object.keys(TRADIFY_CONFORMANCE_CHECKS).length / 2);
  });

  it('the unbroken client fails no check under the same collector', async () => {
    expect(await failedChecks(realPort)).toEqual([]);
  });
});
