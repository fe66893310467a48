/**
 * The conformance suite bites: each deliberately broken adapter (the real client wrapped with
 * one fault) fails its check, with a message naming the port method.
 */
import { describe, expect, it } from 'vitest';
import {
  runTradifyPortConformance,
  TRADIFY_CONFORMANCE_CHECKS,
  type TradifyConformanceCheck,
  type TradifyPortUnderTest,
} from 'cliniko-tradify/testing';
import * as broken from './broken-adapters.js';
import type { Break } from './broken-adapters.js';
import { realPort } from './conformance-port.js';

/** Registers the suite with a tiny in-test runner; returns each check's body by name. */
function suiteBodies(makePort: () => Promise<TradifyPortUnderTest>): Map<string, () => Promise<void>> {
  const bodies = new Map<string, () => Promise<void>>();
  runTradifyPortConformance({ describe: (_title, body) => body(), it: (name, body) => void bodies.set(name, body), expect }, makePort);
  return bodies;
}

/** Runs one check; returns its failure, or `undefined` when it passed. */
async function failureOf(makePort: () => Promise<TradifyPortUnderTest>, check: TradifyConformanceCheck): Promise<Error | undefined> {
  const body = suiteBodies(makePort).get(TRADIFY_CONFORMANCE_CHECKS[check]);
  if (!body) throw new Error(`no check named ${check}`);
  try {
    await body();
  } catch (error) {
    return error as Error;
  }
  return undefined;
}

const brokenPort = (breakIt: Break) => async (): Promise<TradifyPortUnderTest> => {
  const subject = await realPort();
  return { port: breakIt(subject.port), close: subject.close };
};

/** [fault, adapter, the check that catches it, the method its failure names]. */
const FAULTS: Array<[string, Break, TradifyConformanceCheck, string]> = [
  ['ignores the idempotency key', broken.ignoresIdempotencyKey, 'idempotentCreate', 'customers.create'],
  ['creates invoices under a random key', broken.randomInvoiceKey, 'idempotentInvoiceCreate', 'invoices.create'],
  ['adds payments under a random key', broken.randomPaymentKey, 'idempotentPayment', 'payments.add'],
  ['scopes a key by its input', broken.keyScopedByInput, 'idempotencyMismatch', 'customers.create'],
  ['answers a create with another record', broken.answersWithAnotherReference, 'createEchoesRequest', 'customers.create'],
  ['loses existingId on a duplicate reference', broken.losesExistingId, 'duplicateExternalReference', 'customers.create'],
  ['skips the reference check on customers.update', broken.noReferenceCheckOnCustomerUpdate, 'duplicateReferenceOnUpdate', 'customers.update'],
  ['reads only the first page', broken.readsOnlyTheFirstPage, 'readsEveryPage', 'customers.list'],
  ['ignores updatedSince on customers', broken.customersIgnoreUpdatedSince, 'customerFilters', 'customers.list'],
  ['matches email by substring', broken.emailBySubstring, 'exactEmail', 'customers.list'],
  ['ignores customerId on invoices', broken.invoicesIgnoreCustomerId, 'invoiceFilters', 'invoices.list'],
  ['ignores updatedSince on invoices', broken.invoicesIgnoreUpdatedSince, 'invoiceUpdatedSince', 'invoices.list'],
  ['ignores the overdue filter', broken.ignoresOverdue, 'overdueFilter', 'invoices.list'],
  ['drops inactive customers', broken.dropsInactiveCustomers, 'includeInactive', 'customers.list'],
  ['edits an approved invoice (skips the state check)', broken.editsApprovedInvoices, 'approvedInvoiceRefusesEdits', 'invoices.update'],
  ['approves twice', broken.approvesTwice, 'invalidTransitions', 'invoices.approve'],
  ['cancels an approved invoice it was asked to delete', broken.deleteCancelsApproved, 'draftDelete', 'invoices.delete'],
  ['cannot delete a payment', broken.paymentDeleteIsANoOp, 'paymentLifecycle', 'invoices.retrieve'],
  ['clears the reference on cancel', broken.cancelClearsReference, 'cancelKeepsReference', 'invoices.cancel'],
  ['hands out numeric ids', broken.numericIds, 'idsAreStrings', 'customers.retrieve'],
  ['computes money in floating point', broken.floatMoney, 'exactMoney', 'invoices.create'],
  ['ignores taxMode', broken.ignoresTaxMode, 'inclusiveTotals', 'invoices.create'],
  ['sends no_tax as exclusive', broken.noTaxAsExclusive, 'noTaxTotals', 'invoices.create'],
  ['formats money as "110"', broken.moneyWithoutTrailingZeros, 'moneyFormat', 'invoices.create'],
  ['appends lineItems instead of replacing them', broken.appendsLineItems, 'lineItemsReplaced', 'invoices.update'],
  ['keeps discounts to 2 places', broken.twoPlaceDiscount, 'fourPlaceDiscount', 'invoices.retrieve'],
  ['sends negative prices as positive', broken.positivePrices, 'negativeUnitPrice', 'invoices.create'],
  ['hides the no-tax rate', broken.hidesNoTaxRate, 'taxRates', 'taxRates.list'],
  ['loses staff emails', broken.staffWithoutEmails, 'staffEmails', 'staff.list'],
  ['lists no payments for an unknown invoice', broken.unknownInvoiceHasNoPayments, 'notFound', 'payments.list'],
];

describe('the conformance suite catches broken adapters, each on its check', () => {
  it('has a broken adapter for every check', () => {
    expect(new Set(FAULTS.map(([, , check]) => check))).toEqual(new Set(Object.keys(TRADIFY_CONFORMANCE_CHECKS)));
  });

  it.each(FAULTS)('an adapter that %s fails its check, naming the method', async (_fault, breakIt, check, method) => {
    const failure = await failureOf(brokenPort(breakIt), check);
    expect(failure?.message).toMatch(/^TradifyPort conformance: /);
    expect(failure?.message).toContain(`${method}(`);
    expect(failure?.message).toContain('expected');
  });

  it('the unbroken client passes every check under the same runner', async () => {
    const failures: string[] = [];
    for (const [name, body] of suiteBodies(realPort)) await body().catch((error: Error) => failures.push(`${name}: ${error.message}`));
    expect(failures).toEqual([]);
  });

  it('a failure names the input and what was expected', async () => {
    const failure = await failureOf(brokenPort(broken.ignoresTaxMode), 'inclusiveTotals');
    expect(failure?.message).toContain('"taxMode":"inclusive"');
    expect(failure?.message).toContain('expected taxMode to be "inclusive", got "exclusive"');
  });
});
