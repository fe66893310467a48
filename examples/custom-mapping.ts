/**
 * Custom mapping: filters, callbacks that change or veto a draft, custom fields, a tax table
 * and the approval policy.
 *
 *   npx tsx examples/custom-mapping.ts        (runs against the built-in fakes without keys)
 */
import { MemoryStateStore, SyncEngine, veto, type MappingConfig } from 'cliniko-tradify';
import { connect } from './connect.js';

const mapping: MappingConfig = {
  // Leave out test patients; their invoices are skipped as "patient-filtered".
  filterPatient: (patient) => !/^test\b/i.test(patient.last_name ?? ''),
  // Only invoices with at least one item.
  filterInvoice: (_invoice, items) => items.length > 0,
  // Change the draft customer (invoices due in 7 days), or veto one outright.
  customer: (draft, patient) => {
    if (patient.email?.endsWith('@example.invalid')) return veto('placeholder-email');
    return { ...draft, defaultInvoiceDueDays: 7 };
  },
  // Tradify custom fields from a patient field and from a Cliniko custom field.
  customFields: {
    custom1: { patientField: 'medicare' },
    custom2: { section: 'Health fund', field: 'Member number' },
  },
  // Approve invoices once they have not changed for 12 hours.
  approval: { when: 'settled', settleAfter: '12h' },
  paymentTerms: { defaultDueDays: 7 },
};

const { cliniko, tradify, close } = await connect();
const store = new MemoryStateStore();
const engine = new SyncEngine({ cliniko, tradify, store, mapping, timeZone: 'Australia/Sydney' });
engine.on('recordSkipped', (e) => console.log(`skipped ${e.stream} ${e.clinikoId}: ${e.reason}`));
const summary = await engine.run();
console.log(`created ${summary.created}, skipped ${summary.skipped}, reviews ${summary.reviews}`);
await store.close();
await close();
