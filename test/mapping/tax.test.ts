import { describe, expect, it } from 'vitest';
import { Decimal, resolveMappingConfig, checkTaxTable, mapInvoiceLines } from 'cliniko-tradify/mapping';
import { isConfigError, type TradifyTaxRate } from 'cliniko-tradify';
import { dec } from '../../src/core/decimal.js';
import { computeLineAmounts, lineTaxRate } from '../../src/mapping/tax.js';
import { GST, GST_FREE, RATES, item, legacyItem } from './fixtures.js';

const config = resolveMappingConfig();
const taxes = checkTaxTable(RATES, config);

function map(items: ReturnType<typeof item>[], totalAmount: string | null = null, calculationMethod: number | null = 2, rounding = config.rounding) {
  return mapInvoiceLines({ invoiceId: '77', totalAmount, calculationMethod, items, taxes, rounding });
}

const errors = (m: ReturnType<typeof map>) => m.findings.filter((f) => f.severity === 'error').map((f) => f.code);

describe('golden: the legacy item (docs/cliniko-api-notes.md#the-legacy-invoice-item)', () => {
  it('maps unit 100.0, discount 18.1818 %, tax_amount "10.0" GST to GST 8.18 and total 90.00', () => {
    const mapped = map([legacyItem()], '90.0', 1);
    expect(mapped.reproducible).toBe(true);
    expect(mapped.taxMode).toBe('exclusive');
    expect(mapped.totals.totalTax.toFixed(2)).toBe('8.18');
    expect(mapped.totals.total.toFixed(2)).toBe('90.00');
    expect(mapped.totals.subtotal.toFixed(2)).toBe('81.82');
    expect(mapped.lineItems[0]).toMatchObject({ quantity: '1', unitPrice: '100.00', discountPercent: '18.1818', taxRateId: 'tax_gst' });
    expect(mapped.lines[0]!.rateSource).toBe('tax_amount');
    expect(errors(mapped)).toEqual([]);
  });
});

describe("the contract's per-line arithmetic", () => {
  it.each([
    ['exclusive', '2', '90', '0', '10', ['180.00', '18.00', '198.00']],
    ['inclusive', '1', '90', '0', '10', ['81.82', '8.18', '90.00']],
    ['exclusive', '1', '0.05', '0', '10', ['0.05', '0.01', '0.06']],
    ['exclusive', '1', '-0.05', '0', '10', ['-0.05', '-0.01', '-0.06']],
    ['no_tax', '3', '33.33', '0', '10', ['99.99', '0.00', '99.99']],
  ] as const)('%s %s × %s less %s%% at %s%%', (mode, q, u, d, r, [ex, tax, inc]) => {
    const a = computeLineAmounts({ quantity: dec(q), unitPrice: dec(u), discountPercent: dec(d) }, mode, dec(r));
    expect([a.amountExTax.toFixed(2), a.taxAmount.toFixed(2), a.amountIncTax.toFixed(2)]).toEqual([ex, tax, inc]);
  });
});

describe('a line\u2019s rate', () => {
  const known = [dec('10'), dec('0')];
  it.each([
    [{ tax_rate: '10.0', tax_amount: '99', tax_name: 'GST', net_price: '100', total_including_tax: '110' }, '10', 'tax_rate'],
    [{ tax_rate: null, tax_amount: '10.0', tax_name: 'GST', net_price: '100', total_including_tax: '110' }, '10', 'tax_amount'],
    [{ tax_rate: null, tax_amount: '10.0', tax_name: null, net_price: '100', total_including_tax: '115' }, '15', 'ratio'],
    [{ tax_rate: null, tax_amount: null, tax_name: null, net_price: '81.818', total_including_tax: '90.0' }, '10', 'ratio'],
    [{ tax_rate: null, tax_amount: null, tax_name: null, net_price: '50', total_including_tax: '50' }, '0', 'ratio'],
    [{ tax_rate: null, tax_amount: null, tax_name: null, net_price: '0', total_including_tax: '0' }, '0', 'zero-line'],
    [{ tax_rate: null, tax_amount: null, tax_name: null, net_price: null, total_including_tax: null }, undefined, 'missing'],
    [{ tax_rate: null, tax_amount: null, tax_name: null, net_price: '0', total_including_tax: '5' }, undefined, 'missing'],
  ])('%j → %s (%s)', (fields, percent, source) => {
    const rate = lineTaxRate(fields, known);
    expect(rate.source).toBe(source);
    expect(rate.percent?.toString()).toBe(percent);
  });
});

describe('mapInvoiceLines', () => {
  it('keeps Cliniko\u2019s quantity, price and discount when they reproduce the line', () => {
    const mapped = map([item({ quantity: '2', unit_price: '45.50', discount_percentage: '10', net_price: '81.9', total_including_tax: '90.09' })]);
    expect(mapped.lineItems[0]).toMatchObject({ quantity: '2', unitPrice: '45.50', discountPercent: '10' });
    expect(mapped.reproducible).toBe(true);
    expect(mapped.findings).toEqual([]);
  });

  it('restates a line whose quantity has more than 2 places as 1 × its amount, and says so', () => {
    const mapped = map([item({ quantity: '0.333', unit_price: '90', net_price: '29.97', total_including_tax: '32.967' })]);
    expect(mapped.lineItems[0]).toMatchObject({ quantity: '1', unitPrice: '29.97', discountPercent: '0' });
    expect(mapped.reproducible).toBe(true);
    expect(mapped.findings.map((f) => f.code)).toEqual(['line-restated']);
  });

  it('uses the inclusive mode first for a tax-inclusive Cliniko invoice', () => {
    const mapped = map([item({ unit_price: '90', net_price: '81.818', total_including_tax: '90.0' })], '90.0', 3);
    expect(mapped.taxMode).toBe('inclusive');
    expect(mapped.lineItems[0]).toMatchObject({ unitPrice: '90.00', quantity: '1' });
    expect(mapped.totals.totalTax.toFixed(2)).toBe('8.18');
  });

  it('maps a GST-free line to the isNoTax rate, never by silence', () => {
    const mapped = map([item({ tax_name: 'GST Free', tax_rate: '0', net_price: '80', unit_price: '80', total_including_tax: '80' })]);
    expect(mapped.lineItems[0]!.taxRateId).toBe(GST_FREE.id);
    expect(mapped.reproducible).toBe(true);
  });

  it('flags a line with no rate data and keeps the invoice a draft', () => {
    const mapped = map([item({ tax_rate: null, tax_amount: null, tax_name: null, net_price: null, total_including_tax: null, unit_price: null })]);
    expect(mapped.reproducible).toBe(false);
    expect(errors(mapped)).toContain('tax-rate-missing');
  });

  it('flags a rate Tradify does not have', () => {
    const mapped = map([item({ tax_name: 'VAT', tax_rate: '20', total_including_tax: '120' })]);
    expect(errors(mapped)).toEqual(['tax-rate-unmapped']);
    expect(mapped.reproducible).toBe(false);
  });

  it('flags a line no encoding reproduces (inconsistent Cliniko figures)', () => {
    const mapped = map([item({ net_price: '100', total_including_tax: '110.07' })]);
    expect(errors(mapped)).toContain('line-unreproducible');
    expect(mapped.reproducible).toBe(false);
  });

  it('switches the whole invoice to inclusive when only inclusive reproduces every line', () => {
    // b: 0.05 incl. GST has 0.00 tax inclusive, but 0.05 ex. tax would carry 0.01 exclusive.
    const a = item({ quantity: '3', unit_price: '33.33', net_price: '99.99', total_including_tax: '109.99' });
    const b = item({ quantity: '1', unit_price: '0.05', net_price: '0.05', total_including_tax: '0.05' });
    const mapped = map([a, b]);
    expect(mapped.taxMode).toBe('inclusive');
    expect(mapped.reproducible).toBe(true);
    expect(mapped.lineItems.map((l) => l.unitPrice)).toEqual(['109.99', '0.05']);
    expect(errors(mapped)).toEqual([]);
  });

  it('compares the invoice total with Cliniko\u2019s and, when allowed, adds a labelled GST-free rounding line', () => {
    const items = [item({ net_price: '100', total_including_tax: '110' })];
    const differs = map(items, '110.02');
    expect(errors(differs)).toEqual(['invoice-total-differs']);
    expect(differs.reproducible).toBe(false);
    const rounding = resolveMappingConfig({ rounding: { allowRoundingLine: true, maxAmount: '0.05' } }).rounding;
    const fixed = map(items, '110.02', 2, rounding);
    expect(fixed.reproducible).toBe(true);
    expect(fixed.roundingLine).toMatchObject({ unitPrice: '0.02', taxRateId: GST_FREE.id, description: 'Rounding (to match Cliniko total)' });
    expect(fixed.totals.total.toFixed(2)).toBe('110.02');
    expect(fixed.findings.map((f) => f.code)).toEqual(['rounding-line-added']);
    const tooBig = map(items, '111', 2, rounding);
    expect(errors(tooBig)).toEqual(['invoice-total-differs']);
  });

  it('handles credit lines (negative prices)', () => {
    const mapped = map([item({ unit_price: '-20', net_price: '-20', total_including_tax: '-22' })], '-22');
    expect(mapped.reproducible).toBe(true);
    expect(mapped.lineItems[0]!.unitPrice).toBe('-20.00');
  });
});

describe('checkTaxTable', () => {
  const GST_IMPORTS: TradifyTaxRate = { ...GST, id: 'tax_gst_imp', name: 'GST on imports', isDefault: false };

  it('refuses two Tradify rates at one percent with no table entry, naming the fix', () => {
    try {
      checkTaxTable([GST, GST_IMPORTS, GST_FREE], config);
      expect.unreachable();
    } catch (e) {
      expect(isConfigError(e)).toBe(true);
      expect((e as { setting: string }).setting).toBe('mapping.taxTable');
      expect((e as Error).message).toContain("percent: '10'");
    }
  });

  it('accepts the pair once the table chooses, and resolves by name before percent', () => {
    const table = checkTaxTable([GST, GST_IMPORTS, GST_FREE], resolveMappingConfig({ taxTable: [{ percent: '10', tradifyTaxRateId: 'tax_gst' }, { clinikoName: 'Import GST', tradifyTaxRateName: 'gst on imports' }] }));
    expect(table.forLine('GST', dec('10'))).toMatchObject({ id: 'tax_gst' });
    expect(table.forLine(' import gst ', dec('10'))).toMatchObject({ id: 'tax_gst_imp' });
  });

  it('settles two 0 % rates by isNoTax and reports unknown percents', () => {
    const zeroB: TradifyTaxRate = { ...GST_FREE, id: 'tax_exempt', name: 'Exempt', isNoTax: false };
    const table = checkTaxTable([GST, GST_FREE, zeroB], config);
    expect(table.forLine(null, dec('0'))).toMatchObject({ id: 'tax_free' });
    expect(table.noTaxRate?.id).toBe('tax_free');
    expect(table.forLine(null, dec('15'))).toBe('tax-rate-unmapped');
  });

  it('refuses entries naming missing, inactive or different-percent rates', () => {
    const bad = [
      [{ clinikoName: 'GST', tradifyTaxRateId: 'nope' }],
      [{ percent: '10', tradifyTaxRateId: 'tax_free' }],
    ];
    for (const taxTable of bad) {
      expect(() => checkTaxTable(RATES, resolveMappingConfig({ taxTable }))).toThrow(/mapping\.taxTable\[0\]/);
    }
    expect(() => checkTaxTable([{ ...GST, active: false }, GST_FREE], resolveMappingConfig({ taxTable: [{ clinikoName: 'GST', tradifyTaxRateId: 'tax_gst' }] }))).toThrow(/not among the active/);
  });

  it('compares percents exactly', () => {
    expect(Decimal.from('10.0').toString()).toBe('10');
    expect(taxes.forLine('GST', dec('10.00'))).toMatchObject({ id: 'tax_gst' });
  });
});
