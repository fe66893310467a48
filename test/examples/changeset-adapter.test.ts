/**
 * The worked example adapter (examples/changeset-adapter): a `TradifyPort` over a change-set
 * style backend passes the whole conformance suite, and a sync runs through it.
 */
import { describe, expect, it } from 'vitest';
import { isConflictError, isUnprocessableEntityError, silentLogger } from 'cliniko-tradify';
import { runTradifyPortConformance } from 'cliniko-tradify/testing';
import { Decimal } from '../../src/core/decimal.js';
import { LedgerTradifyAdapter } from '../../examples/changeset-adapter/adapter.js';
import { startLedgerBackend } from '../../examples/changeset-adapter/fake-backend.js';
import { firstSync } from '../../examples/changeset-adapter/first-sync.js';

const FAST = { requestsPerMinute: 600_000, logger: silentLogger, retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 2 } };

runTradifyPortConformance(
  { describe, it, expect },
  async () => {
    const backend = await startLedgerBackend({ maxPageSize: 2 });
    const port = new LedgerTradifyAdapter({ baseUrl: backend.url, token: backend.token, pageSize: 2, ...FAST });
    return { port, close: () => backend.close() };
  },
  { title: 'the change-set example adapter passes the TradifyPort conformance suite' },
);

describe('a sync through the example adapter (examples/changeset-adapter/first-sync.ts)', () => {
  it("brings Cliniko's open and paid invoices into Ledger with Cliniko's totals to the cent, approved, the paid ones paid", async () => {
    const run = await firstSync({ logger: silentLogger });
    try {
      expect(run.summary).toMatchObject({ outcome: 'completed', deadLettered: 0 });
      const ledger = new Map(run.ledger.records('Invoice').map((invoice) => [invoice.ExternalRef as string, invoice]));
      const live = run.cliniko.db.invoices.all().filter((i) => i.deleted_at === null && (i.status === 10 || i.status === 20));
      expect(live.length).toBeGreaterThan(10);
      for (const cliniko of live) {
        const invoice = ledger.get(`cliniko:invoice:${cliniko.id}`);
        expect(invoice, cliniko.id).toBeDefined();
        expect(invoice!.TotalCents, cliniko.id).toBe(centsOf(cliniko.total_amount!));
        const lines = (invoice!.Lines as unknown[]).length;
        expect(Math.abs((invoice!.TaxCents as number) / 100 - Number(cliniko.tax_amount)), cliniko.id).toBeLessThanOrEqual(0.005 * lines + 1e-9);
        expect(invoice!.State, cliniko.id).toBe(cliniko.status === 20 ? 'Paid' : 'Approved');
        if (cliniko.status === 20) expect(invoice!.PaidCents, cliniko.id).toBe(invoice!.TotalCents);
      }
      expect(new Set([...ledger.values()].map((i) => i.PriceMode))).toEqual(new Set(['Exclusive', 'Inclusive']));
      const reviews = await run.engine.reviews.list({ status: 'open', limit: 100 });
      expect(reviews.items.filter((r) => r.reasonCode === 'totals-differ')).toEqual([]);
      expect(run.summary.requests.tradify).toBe(run.tradify.stats.requests);
    } finally {
      await run.close();
    }
  }, 60_000);
});

describe('the adapter over Ledger, beyond the suite', () => {
  it('a save whose answer is lost is retried (retrySafe) under the same change set: one customer, not two', async () => {
    const backend = await startLedgerBackend();
    try {
      const port = new LedgerTradifyAdapter({ baseUrl: backend.url, token: backend.token, ...FAST });
      backend.loseNextSaveAnswers(1);
      const customer = await port.customers.create({ name: 'Lost Answer', externalReference: 'cliniko:patient:1' });
      expect(backend.records('Customer').map((c) => c.Id)).toEqual([customer.id]);
      expect([backend.saves, port.stats.requests]).toEqual([1, 2]);
    } finally {
      await backend.close();
    }
  });

  it("Ledger's fault text, which repeats the values sent, reaches no error; its codes and fields do", async () => {
    const backend = await startLedgerBackend();
    try {
      const port = new LedgerTradifyAdapter({ baseUrl: backend.url, token: backend.token, ...FAST });
      const name = 'Jane Citizen';
      const first = await port.customers.create({ name, externalReference: 'cliniko:patient:7' });
      const duplicate = await port.customers.create({ name, externalReference: 'cliniko:patient:7' }).catch((e: unknown) => e);
      expect(isConflictError(duplicate) && [duplicate.api, duplicate.existingId, duplicate.reason]).toEqual(['ledger', first.id, 'duplicate_external_reference']);
      const invalid = await port.customers.create({ name: `${name} ${'x'.repeat(100)}` }).catch((e: unknown) => e);
      expect(isUnprocessableEntityError(invalid) && invalid.errors).toEqual({ Name: 'too_long' });
      for (const error of [duplicate, invalid]) {
        expect(`${(error as Error).message} ${JSON.stringify(error)}`).not.toContain('Jane');
        expect(JSON.stringify(error)).not.toContain(backend.token);
      }
    } finally {
      await backend.close();
    }
  });
});

function centsOf(amount: string): number {
  return Number(Decimal.from(amount).mul(100).round(0).toString());
}
