import { describe, expect, it } from 'vitest';
import { Decimal } from 'cliniko-tradify/mapping';
import type { ReconciliationFinding } from 'cliniko-tradify';
import { judgeGst } from '../../src/sync/reconcile/money.js';
import { agreesToTheCent } from '../../src/sync/totals.js';
import { customerFieldHashes, defaultExpectedCustomer } from '../../src/sync/reconcile/normalise.js';
import { planRepairs } from '../../src/sync/reconcile/repair.js';
import { parseClinikoReference } from '../../src/sync/reconcile/stage.js';

const d = (s: string) => Decimal.from(s);

describe('money agreement', () => {
  it('a 2-place Cliniko figure must match exactly; a 3-place one may round either way', () => {
    expect(agreesToTheCent(d('5.45'), d('5.45'))).toBe(true);
    expect(agreesToTheCent(d('5.45'), d('5.46'))).toBe(false);
    expect(agreesToTheCent(d('5.455'), d('5.45'))).toBe(true);
    expect(agreesToTheCent(d('5.455'), d('5.46'))).toBe(true);
    expect(agreesToTheCent(d('5.455'), d('5.44'))).toBe(false);
    expect(agreesToTheCent(d('-0.125'), d('-0.13'))).toBe(true);
  });

  it('GST may differ by half a cent per line carrying GST (Tradify rounds each line), no more', () => {
    expect(judgeGst(d('10.91'), d('10.90'), 2)).toBe('rounding');
    expect(judgeGst(d('10.91'), d('10.90'), 1)).toBe('differs');
    expect(judgeGst(d('10.92'), d('10.90'), 2)).toBe('differs');
    expect(judgeGst(d('10.92'), d('10.90'), 4)).toBe('rounding');
    expect(judgeGst(d('10.91'), d('10.90'), undefined)).toBe('differs');
  });
});

describe('parseClinikoReference', () => {
  it('reads patients, invoices and reissues; rejects anything else', () => {
    expect(parseClinikoReference('cliniko:patient:1390710863102485699')).toEqual({ kind: 'patient', clinikoId: '1390710863102485699', revision: 0 });
    expect(parseClinikoReference('cliniko:invoice:42:r3')).toEqual({ kind: 'invoice', clinikoId: '42', revision: 3 });
    for (const bad of [null, '', 'CLINIKO:patient:1', 'cliniko:patient:', 'cliniko:patient:1x', 'xero:patient:1', 'cliniko:invoice:1:r']) {
      expect(parseClinikoReference(bad)).toBeUndefined();
    }
  });
});

describe('customer comparison hashes', () => {
  const patient = {
    id: '1', first_name: 'Jane', last_name: 'Citizen', preferred_first_name: null, email: 'Jane@Example.com', archived_at: null, merged_at: null,
    patient_phone_numbers: [{ phone_type: 'Mobile', number: '0400 000 000', normalized_number: null }],
    address_1: '1 Example St', address_2: null, address_3: null, city: 'Melbourne', state: 'Victoria', post_code: '3000', country: 'Australia', country_code: 'AU',
  } as unknown as Parameters<typeof defaultExpectedCustomer>[0];

  it('ignore case, spacing and phone punctuation, but not a different value', () => {
    const expected = customerFieldHashes('acct', defaultExpectedCustomer(patient));
    const same = customerFieldHashes('acct', { ...defaultExpectedCustomer(patient), name: '  JANE   citizen ', email: 'jane@example.COM', mobile: '0400-000-000' });
    expect(same).toEqual(expected);
    const other = customerFieldHashes('acct', { ...defaultExpectedCustomer(patient), email: 'j@example.com' });
    expect(Object.keys(other).filter((k) => other[k] !== expected[k])).toEqual(['email']);
  });

  it('are salted per account', () => {
    expect(customerFieldHashes('a', defaultExpectedCustomer(patient)).name).not.toBe(customerFieldHashes('b', defaultExpectedCustomer(patient)).name);
  });
});

describe('planRepairs', () => {
  const f = (over: Partial<ReconciliationFinding>): ReconciliationFinding => ({ kind: 'field-mismatch', entity: 'patient', clinikoId: '1', tradifyId: 't1', reason: 'value-differs', month: null, fixable: true, ...over });
  it('does one action per record, relinks win over re-pushes, patients before invoices, the rest to review', () => {
    const { actions, toReview } = planRepairs([
      f({ entity: 'invoice', clinikoId: '9', kind: 'missing-in-tradify', tradifyId: null }),
      f({ field: 'name' }),
      f({ field: 'email' }),
      f({ clinikoId: '2', kind: 'link-drift', reason: 'reference-without-link', tradifyId: 't2' }),
      f({ clinikoId: '2', field: 'name' }),
      f({ kind: 'duplicate', fixable: false, clinikoId: null }),
    ]);
    expect(actions).toEqual([
      { kind: 'repush', entity: 'patient', clinikoId: '1' },
      { kind: 'relink', entity: 'patient', clinikoId: '2', tradifyId: 't2' },
      { kind: 'repush', entity: 'invoice', clinikoId: '9' },
    ]);
    expect(toReview.map((x) => x.kind)).toEqual(['duplicate']);
  });
});
