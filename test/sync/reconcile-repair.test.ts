import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallbackAlerter, isClinikoTradifyError, createLeaseOwner, type Alert } from 'cliniko-tradify';
import { linkedId } from 'cliniko-tradify/cliniko';
import { defaultExpectedCustomer } from '../../src/sync/reconcile/normalise.js';
import { runReconciliation } from '../../src/sync/reconcile/index.js';
import type { ReconcileRepairer } from '../../src/sync/reconcile/index.js';
import { minimalSync, startHarness } from './reconcile-helpers.js';
import type { Harness } from './reconcile-helpers.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  await minimalSync(h);
});
afterEach(async () => h.close());

function livePatients() {
  return h.fc.db.patients.all().filter((p) => p.deleted_at === null && p.archived_at === null && p.merged_at === null);
}

/** A repairer that does the work through the real client, inside the reconciliation's lease. */
function repairer(calls: string[]): ReconcileRepairer {
  async function nested<T>(token: string, body: () => Promise<T>): Promise<T> {
    const lease = await h.store.acquireLease('default', { owner: createLeaseOwner(), ttlMs: 60_000, reentrantToken: token });
    try {
      return await body();
    } finally {
      await h.store.releaseLease('default', lease.token);
    }
  }
  return {
    repushPatient: (id, ctx) =>
      nested(ctx.leaseToken, async () => {
        calls.push(`repush-patient:${id}`);
        const patient = await h.cliniko.patients.retrieve(id, { includeArchived: true });
        const customer = await h.tradify.customers.create({ ...defaultExpectedCustomer(patient), externalReference: `cliniko:patient:${id}` });
        await h.store.commitPage('default', ctx.leaseToken, {
          links: [{ kind: 'patient', clinikoId: id, tradifyId: customer.id }],
          audit: [{ runId: ctx.runId, stream: 'patients', action: 'create', clinikoId: id, tradifyId: customer.id }],
        });
      }),
    repushInvoice: async (id) => void calls.push(`repush-invoice:${id}`),
    relink: (kind, clinikoId, tradifyId, ctx) =>
      nested(ctx.leaseToken, async () => {
        calls.push(`relink-${kind}:${clinikoId}:${tradifyId}`);
        await h.store.commitPage('default', ctx.leaseToken, {
          links: [{ kind, clinikoId, tradifyId }],
          audit: [{ runId: ctx.runId, stream: kind === 'patient' ? 'patients' : 'invoices', action: 'relink', clinikoId, tradifyId }],
        });
      }),
  };
}

describe('repair: true', () => {
  it('re-pushes and re-links inside the same lease, reviews the rest, audits everything', async () => {
    const added = h.fc.db.patients.insert({ first_name: 'Late', last_name: 'Comer', email: 'late@example.com' });
    const unlinked = livePatients()[1]!;
    const unlinkedCustomer = (await h.store.links.getMany('default', 'patient', [unlinked.id])).get(unlinked.id)!.tradifyId;
    const lease = await h.store.acquireLease('default', { owner: createLeaseOwner(), ttlMs: 60_000 });
    await h.store.commitPage('default', lease.token, { unlinks: [{ kind: 'patient', clinikoId: unlinked.id }] });
    await h.store.releaseLease('default', lease.token);
    const a = await h.tradify.customers.create({ name: 'A', email: 'same@trade.example' });
    await h.tradify.customers.create({ name: 'B', email: 'same@trade.example' });

    const calls: string[] = [];
    const report = await runReconciliation({ ...h.internals, repairer: repairer(calls) }, { repair: true });
    expect(calls.sort()).toEqual([`relink-patient:${unlinked.id}:${unlinkedCustomer}`, `repush-patient:${added.id}`].sort());
    expect(report.summary.repairs).toEqual({ repaired: 2, reviewed: 1, reviewsByEngine: 0, unchanged: 0, failed: 0 });
    const reviews = (await h.store.reviews.list('default', { status: 'open' })).items;
    expect(reviews.map((r) => [r.kind, r.recordId, r.reasonCode])).toEqual([['reconciliation', a.id, 'duplicate:unlinked-customers-share-email']]);
    const audit = (await h.store.audit.list('default', { stream: 'reconcile' })).items.map((e) => [e.action, e.clinikoId ?? e.tradifyId]);
    expect(audit).toEqual(expect.arrayContaining([['repair', added.id], ['repair', unlinked.id], ['review', a.id]]));

    // the repairs really fixed things: a second pass finds only the reviewed duplicate
    const again = await runReconciliation(h.internals);
    expect(again.findings.map((f) => f.kind)).toEqual(['duplicate']);
  });

  it('refuses repair without a repairer, and never overlaps another holder of the lease', async () => {
    await expect(runReconciliation(h.internals, { repair: true })).rejects.toMatchObject({ code: 'config_invalid', setting: 'repair' });
    const lease = await h.store.acquireLease('default', { owner: 'someone-else', ttlMs: 60_000 });
    const error = await runReconciliation(h.internals).catch((e: unknown) => e);
    expect(isClinikoTradifyError(error) && error.code).toBe('lease_held');
    await h.store.releaseLease('default', lease.token);
  });

  it('stops on abort mid-run, marking the run aborted, clearing its staging and releasing the lease', async () => {
    const controller = new AbortController();
    const source = h.internals.cliniko;
    const cliniko = {
      ...source,
      async *patientPages(options: { signal?: AbortSignal | undefined }) {
        for await (const page of source.patientPages(options)) {
          yield page;
          controller.abort();
        }
      },
    };
    const error = await runReconciliation({ ...h.internals, cliniko }, { signal: controller.signal }).catch((e: unknown) => e);
    expect(isClinikoTradifyError(error) && error.code).toBe('aborted');
    const run = (await h.store.runs.last('default', { kind: 'reconcile' }))!;
    expect(run.status).toBe('aborted');
    for (const [side, kind] of [['tradify', 'customer'], ['cliniko', 'patient']] as const) {
      expect(await h.store.staging.count('default', { runId: run.id, side, kind })).toBe(0);
    }
    expect(await h.store.getLease('default')).toBeUndefined();
  });
});

describe('repair counts what the engine really did', () => {
  async function deleteLinkedInvoice(): Promise<{ clinikoId: string; tradifyId: string }> {
    const link = (await h.store.links.list('default', { kind: 'invoice' })).items[0]!;
    h.ft.state.invoices.delete(link.tradifyId);
    return { clinikoId: link.clinikoId, tradifyId: link.tradifyId };
  }

  function invoiceRepairer(repush: ReconcileRepairer['repushInvoice']): ReconcileRepairer {
    const unused = () => Promise.reject(new Error('not expected'));
    return { repushPatient: unused, relink: unused, repushInvoice: repush };
  }

  it('an invoice whose Tradify copy was deleted: re-created and re-linked counts as repaired; a second pass is clean', async () => {
    const gone = await deleteLinkedInvoice();
    const repairer = invoiceRepairer(async (id, ctx) => {
      const copy = h.ft.state.invoices.stored(gone.tradifyId);
      expect(copy).toBeUndefined();
      const original = (await h.cliniko.invoices.retrieve(id))!;
      const patientId = linkedId(original.patient)!;
      const customer = (await h.store.links.getMany('default', 'patient', [patientId])).get(patientId)!.tradifyId;
      const created = await h.tradify.invoices.create({ customerId: customer, invoiceDate: original.issue_date!, externalReference: `cliniko:invoice:${id}`, lineItems: [] });
      await h.store.commitPage('default', ctx.leaseToken, {
        links: [{ kind: 'invoice', clinikoId: id, tradifyId: created.id }],
        audit: [{ runId: ctx.runId, stream: 'invoices', action: 'create', clinikoId: id, tradifyId: created.id }],
      });
    });
    const report = await runReconciliation({ ...h.internals, repairer }, { repair: true });
    expect(report.findings.filter((f) => f.kind === 'orphan').map((f) => [f.clinikoId, f.tradifyId, f.reason, f.fixable])).toEqual([[gone.clinikoId, gone.tradifyId, 'linked-tradify-record-missing', true]]);
    expect(report.summary.repairs).toMatchObject({ repaired: 1, unchanged: 0, reviewsByEngine: 0, failed: 0 });
    const again = await runReconciliation(h.internals);
    expect(again.findings.filter((f) => f.clinikoId === gone.clinikoId && f.kind === 'orphan')).toEqual([]);
  });

  it('a write that leaves the link on the missing record is not a repair; nor is doing nothing', async () => {
    const gone = await deleteLinkedInvoice();
    const replayed = invoiceRepairer(async (id, ctx) => {
      // what an idempotent create replayed onto the deleted record looks like: audited, link unmoved
      await h.store.commitPage('default', ctx.leaseToken, { audit: [{ runId: ctx.runId, stream: 'invoices', action: 'create', clinikoId: id, tradifyId: gone.tradifyId }] });
    });
    const first = await runReconciliation({ ...h.internals, repairer: replayed }, { repair: true });
    expect(first.summary.repairs).toEqual({ repaired: 0, reviewed: 0, reviewsByEngine: 0, unchanged: 1, failed: 0 });
    const idle = await runReconciliation({ ...h.internals, repairer: invoiceRepairer(async () => undefined) }, { repair: true });
    expect(idle.summary.repairs).toEqual({ repaired: 0, reviewed: 0, reviewsByEngine: 0, unchanged: 1, failed: 0 });
    const audit = (await h.store.audit.list('default', { stream: 'reconcile', clinikoId: gone.clinikoId })).items.map((a) => a.action);
    expect(audit).toEqual(['repair-unchanged', 'repair-unchanged']);
  });

  it('a repair the engine answers with a review counts as reviewsByEngine, not repaired', async () => {
    const gone = await deleteLinkedInvoice();
    const reviewing = invoiceRepairer(async (id, ctx) => {
      await h.store.commitPage('default', ctx.leaseToken, { reviews: [{ kind: 'invoice', recordId: id, reasonCode: 'tradify-invoice-missing' }] });
    });
    const report = await runReconciliation({ ...h.internals, repairer: reviewing }, { repair: true });
    expect(report.summary.repairs).toEqual({ repaired: 0, reviewed: 0, reviewsByEngine: 1, unchanged: 0, failed: 0 });
    expect((await h.store.reviews.list('default', { status: 'open', recordId: gone.clinikoId })).items.map((r) => r.reasonCode)).toEqual(['tradify-invoice-missing']);
  });
});

describe('alerts on findings', () => {
  it('alerts once above the threshold, not again while unchanged, and again when the problem changes', async () => {
    const alerts: Alert[] = [];
    const internals = { ...h.internals, alerter: new CallbackAlerter((a) => void alerts.push(a)) };
    await runReconciliation(internals);
    expect(alerts).toHaveLength(0); // clean: nothing to say

    const patient = livePatients()[0]!;
    const customerId = (await h.store.links.getMany('default', 'patient', [patient.id])).get(patient.id)!.tradifyId;
    h.ft.state.customers.tamper(customerId, { name: 'Changed In Tradify' });
    await runReconciliation(internals);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'reconciliation', accountId: 'default', counts: { 'field-mismatch': 1 }, recordIds: [patient.id] });
    expect(JSON.stringify(alerts[0])).not.toContain('Changed In Tradify');

    await runReconciliation(internals);
    expect(alerts).toHaveLength(1); // same unchanged problem: not repeated

    await runReconciliation(internals, { alertThreshold: 5 });
    h.ft.state.customers.tamper(customerId, { email: 'x@example.com' });
    await runReconciliation(internals);
    expect(alerts).toHaveLength(2); // the problem changed
  });
});
