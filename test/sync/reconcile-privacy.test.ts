import { inspect } from 'node:util';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { CallbackAlerter, type Alert, type StagingRow } from 'cliniko-tradify';
import { runReconciliation } from '../../src/sync/reconcile/index.js';
import { minimalSync, startHarness } from './reconcile-helpers.js';
import type { Harness } from './reconcile-helpers.js';

const CANARY_NAME = 'Zebulon Canaryfield';
const CANARY_EMAIL = 'zebulon.canary@example.org';
const CANARY_PHONE = '0499 123 987';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  const patient = h.fc.db.patients.all().find((p) => p.deleted_at === null && p.archived_at === null)!;
  h.fc.db.patients.update(patient.id, { first_name: 'Zebulon', last_name: 'Canaryfield', email: CANARY_EMAIL, patient_phone_numbers: [{ phone_type: 'Mobile', number: CANARY_PHONE }] } as never);
  await minimalSync(h);
  // a mismatch on the canary's customer, so findings, alerts and reports all mention it by id
  const link = (await h.store.links.getMany('default', 'patient', [patient.id])).get(patient.id)!;
  h.ft.state.customers.tamper(link.tradifyId, { name: `${CANARY_NAME} Jr`, email: `x.${CANARY_EMAIL}` });
});
afterEach(async () => h.close());

it('stages hashes, never names, emails or phones; findings, reports and alerts carry ids only', async () => {
  const staged: StagingRow[] = [];
  const put = h.store.staging.put.bind(h.store.staging);
  (h.store.staging as { put: typeof put }).put = async (accountId, rows, options) => {
    staged.push(...rows);
    return put(accountId, rows, options);
  };
  const alerts: Alert[] = [];
  const report = await runReconciliation({ ...h.internals, alerter: new CallbackAlerter((a) => void alerts.push(a)) });
  expect(report.summary.counts['field-mismatch']).toBe(2);
  expect(staged.length).toBeGreaterThan(0);
  const texts = [JSON.stringify(staged), JSON.stringify(report), report.toCSV(), report.toMarkdown(), report.toHTML(), JSON.stringify(alerts), inspect(alerts, { depth: 9 })];
  for (const text of texts) {
    for (const canary of ['Zebulon', 'Canaryfield', 'zebulon.canary', CANARY_PHONE, '0499123987']) expect(text).not.toContain(canary);
  }
  expect(alerts).toHaveLength(1);
});
