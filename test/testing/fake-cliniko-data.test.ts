import { describe, expect, it } from 'vitest';
import { generateClinikoData, type ClinikoSeedData } from 'cliniko-tradify/testing';

/** An independent exact parse: decimal string → ten-thousandths. */
function tenThousandths(text: string | number | null): bigint {
  const [whole = '0', fraction = ''] = String(text ?? '0').split('.');
  const sign = whole.startsWith('-') ? -1n : 1n;
  return sign * (BigInt(whole.replace('-', '')) * 10_000n + BigInt(fraction.padEnd(4, '0').slice(0, 4)));
}

const data: ClinikoSeedData = generateClinikoData({ seed: 11, patients: 600, invoices: 900 });

describe('generateClinikoData', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const again = generateClinikoData({ seed: 11, patients: 600, invoices: 900 });
    expect(JSON.stringify(again)).toBe(JSON.stringify(data));
    expect(generateClinikoData({ seed: 12, patients: 50, invoices: 10 }).patients[0]?.last_name === data.patients[0]?.last_name
      && generateClinikoData({ seed: 12, patients: 50, invoices: 10 }).patients[1]?.email === data.patients[1]?.email).toBe(false);
  });

  it('makes 18- and 19-digit string ids above 2^53 that rise with created_at', () => {
    for (const table of [data.patients, data.invoices]) {
      expect(new Set(table.map((r) => r.id.length))).toEqual(new Set([18, 19]));
      expect(table.every((r) => typeof r.id === 'string' && BigInt(r.id) > 2n ** 53n)).toBe(true);
      for (let i = 1; i < table.length; i += 1) expect(table[i - 1]!.created_at <= table[i]!.created_at).toBe(true);
    }
    expect(data.patients.every((p) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(p.updated_at))).toBe(true);
    expect(new Set(data.invoiceItems.map((i) => i.id)).size).toBe(data.invoiceItems.length);
  });

  it('covers Australian realities: names, states, phones, families, payers, a bulk-import second', () => {
    const names = data.patients.map((p) => `${p.first_name} ${p.last_name}`).join('|');
    expect(names).toMatch(/'/);
    expect(names).toMatch(/[\u0370-\u03ff\u0400-\u04ff\u4e00-\u9fff]/);
    const states = new Set(data.patients.map((p) => p.state));
    expect(states.has('NSW') && states.has('New South Wales')).toBe(true);
    const phoneTypes = new Set(data.patients.flatMap((p) => p.patient_phone_numbers.map((n) => n.phone_type)));
    expect(phoneTypes).toEqual(new Set(['Mobile', 'Home', 'Work', 'Fax', 'Other']));
    const emails = data.patients.map((p) => p.email).filter((e): e is string => Boolean(e));
    expect(emails.length - new Set(emails).size).toBeGreaterThan(5);
    expect(data.patients.some((p) => p.email === '') && data.patients.some((p) => p.email === null)).toBe(true);
    expect(data.patients.filter((p) => p.invoice_default_to).length).toBeGreaterThan(5);
    const perSecond = new Map<string, number>();
    for (const p of data.patients) perSecond.set(p.created_at, (perSecond.get(p.created_at) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeGreaterThan(100);
  });

  it('has archived and merged patients, merged ones archived and pointing at another patient', () => {
    const merged = data.patients.filter((p) => p.merged_at !== null);
    expect(merged.length).toBeGreaterThan(0);
    const ids = new Set(data.patients.map((p) => p.id));
    expect(merged.every((p) => p.archived_at !== null && p.merged_with_patient_id !== p.id && ids.has(p.merged_with_patient_id ?? ''))).toBe(true);
    expect(data.patients.filter((p) => p.archived_at !== null && p.merged_at === null).length).toBeGreaterThan(10);
    expect(data.patients.every((p) => p.updated_at >= p.created_at && (p.archived_at === null || p.updated_at >= p.archived_at))).toBe(true);
  });

  it('covers every status with closed_at on paid and closed, both calculation methods and legacy, deleted rows', () => {
    expect(new Set(data.invoices.map((i) => i.status))).toEqual(new Set([10, 20, 30, 40]));
    expect(data.invoices.every((i) => (i.status === 20 || i.status === 30) === (i.closed_at !== null))).toBe(true);
    expect(new Set(data.invoices.map((i) => i.calculation_method))).toEqual(new Set([1, 2, 3]));
    expect(data.invoices.some((i) => i.deleted_at !== null) && data.invoices.some((i) => i.archived_at !== null)).toBe(true);
    expect(data.invoices.some((i) => i.practitioner_id === null) && data.invoices.some((i) => i.appointment_id === null)).toBe(true);
    expect(data.invoiceItems.some((i) => i.deleted_at !== null && data.invoices.find((v) => v.id === i.invoice_id)?.deleted_at === null)).toBe(true);
    expect(data.invoices.every((i) => /^\d{4}-\d{2}-\d{2}$/.test(i.issue_date))).toBe(true);
  });

  it('writes GST, GST-free and legacy tax_amount-only lines in both wire shapes', () => {
    const items = data.invoiceItems;
    expect(items.some((i) => i.tax_rate === '10.0' && i.tax_name === 'GST')).toBe(true);
    expect(items.some((i) => i.tax_rate === '0.0')).toBe(true);
    const legacy = items.filter((i) => i.tax_rate === null);
    expect(legacy.length).toBeGreaterThan(0);
    expect(legacy.every((i) => i.tax_name !== null && i.tax_amount !== null && typeof i.quantity === 'number' && typeof i.total_including_tax === 'string')).toBe(true);
    expect(items.filter((i) => i.tax_rate !== null).every((i) => typeof i.quantity === 'string' && typeof i.total_including_tax === 'number')).toBe(true);
    expect(items).toContainEqual(expect.objectContaining({
      unit_price: '100.0', quantity: 1, discount_percentage: '18.1818', net_price: '81.818', total_including_tax: '90.0', tax_amount: '10.0', tax_rate: null,
    }));
  });

  it('keeps every line and invoice internally consistent in exact decimals', () => {
    const byInvoice = new Map<string, typeof data.invoiceItems>();
    for (const item of data.invoiceItems) byInvoice.set(item.invoice_id, [...(byInvoice.get(item.invoice_id) ?? []), item]);
    for (const invoice of data.invoices) {
      const lines = (byInvoice.get(invoice.id) ?? []).filter((l) => l.deleted_at === null || invoice.deleted_at !== null);
      expect(lines.length).toBeGreaterThan(0);
      let net = 0n;
      let total = 0n;
      for (const line of lines) {
        const rate = tenThousandths(line.tax_rate ?? line.tax_amount);
        const lineNet = tenThousandths(line.net_price);
        const lineTotal = tenThousandths(line.total_including_tax);
        // total = net × (1 + rate) to the cent (±half a cent either way, as either side was rounded)
        const expected = (lineNet * (1_000_000n + rate)) / 1_000_000n;
        expect(lineTotal - expected <= 55n && expected - lineTotal <= 55n).toBe(true);
        expect(lineTotal % 100n).toBe(0n);
        const gross = tenThousandths(line.unit_price) * tenThousandths(line.quantity) / 10_000n;
        const base = invoice.calculation_method === 3 ? lineTotal : lineNet;
        expect(gross - base).toBe(tenThousandths(line.discounted_amount));
        net += lineNet;
        total += lineTotal;
      }
      expect(tenThousandths(invoice.net_amount)).toBe(net);
      expect(tenThousandths(invoice.total_amount)).toBe(total);
      expect(tenThousandths(invoice.tax_amount)).toBe(total - net);
    }
  });

  it('links practitioners to users with emails, and has one Sydney business and two taxes', () => {
    const users = new Map(data.users.map((u) => [u.id, u]));
    expect(data.practitioners.every((p) => users.get(p.user_id)?.email.includes('@'))).toBe(true);
    expect(data.practitioners.some((p) => !p.active)).toBe(true);
    expect(data.businesses.map((b) => b.time_zone_identifier)).toEqual(['Australia/Sydney']);
    expect(data.taxes.map((t) => [t.name, t.rate])).toEqual([['GST', '10.0'], ['GST Free', '0.0']]);
  });

  it('generates 100,000 patients in reasonable time', () => {
    const started = performance.now();
    const big = generateClinikoData({ seed: 3, patients: 100_000, invoices: 0 });
    expect(big.patients).toHaveLength(100_000);
    expect(performance.now() - started).toBeLessThan(30_000);
  }, 90_000);
});
