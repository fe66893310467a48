/**
 * GST: the tax table (Cliniko tax → Tradify tax rate), each line's rate, and the choice of
 * `taxMode`, unit price, discount and rate per line so that the Tradify contract's
 * arithmetic (per line, rounded half away from zero) gives back Cliniko's line amounts to
 * the cent.
 *
 * @module
 */

import { ConfigError } from '../core/errors.js';
import { Decimal } from '../core/decimal.js';
import type { ClinikoInvoiceItem } from '../cliniko/schemas/invoice-item.js';
import type { TradifyLineItemInput, TradifyTaxMode, TradifyTaxRate } from '../tradify/port.js';
import type { ResolvedMappingConfig } from './config.js';
import { finding, type Finding } from './findings.js';
import { cutToLength, tidySpaces } from './names.js';

const HUNDRED = Decimal.HUNDRED;
const ZERO = Decimal.ZERO;

// ---------------------------------------------------------------------------------------------
// The contract's per-line arithmetic

/** One line's amounts as Tradify computes them (`docs/tradify-contract.md#arithmetic`). */
export interface LineAmounts {
  amountExTax: Decimal;
  taxAmount: Decimal;
  amountIncTax: Decimal;
}

/** The quantities Tradify takes for a line. */
export interface LineEncoding {
  quantity: Decimal;
  unitPrice: Decimal;
  discountPercent: Decimal;
}

/**
 * A line's amounts under the Tradify contract's arithmetic: `net = round2(q × u × (1 − d/100))`;
 * exclusive: tax = round2(net × r/100); inclusive: tax = round2(net × r/(100 + r)), ex = net − tax.
 */
export function computeLineAmounts(line: LineEncoding, mode: TradifyTaxMode, ratePercent: Decimal): LineAmounts {
  const gross = line.quantity.mul(line.unitPrice).mul(HUNDRED.sub(line.discountPercent));
  const net = gross.div(HUNDRED, 2);
  if (mode === 'no_tax') return { amountExTax: net, taxAmount: ZERO, amountIncTax: net };
  if (mode === 'exclusive') {
    const tax = net.mul(ratePercent).div(HUNDRED, 2);
    return { amountExTax: net, taxAmount: tax, amountIncTax: net.add(tax) };
  }
  const tax = net.mul(ratePercent).div(HUNDRED.add(ratePercent), 2);
  return { amountExTax: net.sub(tax), taxAmount: tax, amountIncTax: net };
}

// ---------------------------------------------------------------------------------------------
// The tax table

/** A Tradify tax rate chosen for a line. */
export interface TaxRateChoice {
  id: string;
  name: string;
  percent: Decimal;
}

/** Why no Tradify rate could be chosen for a line. */
export type TaxRateProblem = 'tax-rate-unmapped' | 'tax-rate-ambiguous';

/** The tax table checked against Tradify's rates; built once per run by {@link checkTaxTable}. */
export interface ResolvedTaxTable {
  /** The Tradify rate for a Cliniko tax name and percent: by configured name, then configured percent, then Tradify's rates. */
  forLine(clinikoName: string | null, percent: Decimal): TaxRateChoice | TaxRateProblem;
  /** The GST-free rate (0 %, preferring `isNoTax`), used for rounding lines. */
  readonly noTaxRate: TaxRateChoice | undefined;
  /** Distinct percents of the active Tradify rates, used to recognise a rate from a line's ratio. */
  readonly knownPercents: readonly Decimal[];
}

function toChoice(rate: TradifyTaxRate): TaxRateChoice | undefined {
  const percent = Decimal.tryFrom(rate.rate);
  return percent === undefined ? undefined : { id: rate.id, name: rate.name, percent };
}

function findTradifyRate(entry: ResolvedMappingConfig['taxTable'][number], rates: readonly TradifyTaxRate[]): TradifyTaxRate | undefined {
  if (entry.tradifyTaxRateId !== undefined) return rates.find((r) => r.id === entry.tradifyTaxRateId);
  const wanted = entry.tradifyTaxRateName?.trim().toLowerCase();
  const named = rates.filter((r) => r.name.trim().toLowerCase() === wanted);
  return named.length === 1 ? named[0] : undefined;
}

function groupByPercent(rates: readonly TaxRateChoice[]): Map<string, TaxRateChoice[]> {
  const groups = new Map<string, TaxRateChoice[]>();
  for (const rate of rates) {
    const key = rate.percent.toString();
    groups.set(key, [...(groups.get(key) ?? []), rate]);
  }
  return groups;
}

function pickNoTax(group: readonly TaxRateChoice[], noTaxIds: ReadonlySet<string>): TaxRateChoice | undefined {
  const marked = group.filter((r) => noTaxIds.has(r.id));
  return marked.length === 1 ? marked[0] : undefined;
}

/**
 * Checks the configured tax table against Tradify's tax rates (`GET /tax-rates`) at the start
 * of a run, and returns the resolver the invoice mapping uses.
 *
 * @throws ConfigError (`mapping.taxTable[i]`) when an entry names a Tradify rate that does not
 *   exist, is inactive, or has a different percent than the entry says; (`mapping.taxTable`)
 *   when two active Tradify rates share a percent and no entry says which to use (a 0 % pair
 *   is settled by the one marked `isNoTax`).
 * @example
 * ```ts
 * const rates = [];
 * for await (const rate of tradify.taxRates.list()) rates.push(rate);
 * const taxes = checkTaxTable(rates, resolveMappingConfig({ taxTable: [{ clinikoName: 'GST', tradifyTaxRateId: 'tax_gst' }] }));
 * ```
 */
export function checkTaxTable(tradifyRates: readonly TradifyTaxRate[], config: Pick<ResolvedMappingConfig, 'taxTable'>): ResolvedTaxTable {
  const active = tradifyRates.filter((r) => r.active);
  const choices = active.map(toChoice).filter((c): c is TaxRateChoice => c !== undefined);
  const noTaxIds = new Set(active.filter((r) => r.isNoTax).map((r) => r.id));
  const byName = new Map<string, TaxRateChoice>();
  const byPercent = new Map<string, TaxRateChoice>();
  config.taxTable.forEach((entry, i) => {
    const rate = findTradifyRate(entry, active);
    const choice = rate === undefined ? undefined : toChoice(rate);
    if (choice === undefined) {
      throw new ConfigError(`mapping.taxTable[${i}]`, `mapping.taxTable[${i}] names a Tradify tax rate that is not among the active rates: use the id or exact name of one listed by GET /tax-rates.`);
    }
    const percent = entry.percent === undefined ? undefined : Decimal.from(entry.percent);
    if (percent !== undefined && !percent.eq(choice.percent)) {
      throw new ConfigError(`mapping.taxTable[${i}]`, `mapping.taxTable[${i}] maps ${percent.toString()}% to Tradify rate '${choice.id}', which is ${choice.percent.toString()}%: point it at a rate with the same percent.`);
    }
    if (entry.clinikoName !== undefined) byName.set(entry.clinikoName.trim().toLowerCase(), choice);
    if (percent !== undefined) byPercent.set(percent.toString(), choice);
  });
  const groups = groupByPercent(choices);
  for (const [percent, group] of groups) {
    if (group.length < 2 || byPercent.has(percent)) continue;
    if (percent === '0' && pickNoTax(group, noTaxIds)) continue;
    throw new ConfigError(
      'mapping.taxTable',
      `Tradify has ${group.length} active tax rates at ${percent}% (${group.map((r) => `'${r.id}'`).join(', ')}) and mapping.taxTable does not say which to use: add { percent: '${percent}', tradifyTaxRateId: '<one of them>' }.`,
    );
  }
  return buildResolver(groups, byName, byPercent, noTaxIds);
}

function buildResolver(
  groups: Map<string, TaxRateChoice[]>,
  byName: Map<string, TaxRateChoice>,
  byPercent: Map<string, TaxRateChoice>,
  noTaxIds: ReadonlySet<string>,
): ResolvedTaxTable {
  const cache = new Map<string, TaxRateChoice | TaxRateProblem>();
  const zeroGroup = groups.get('0') ?? [];
  const noTaxRate = byPercent.get('0') ?? pickNoTax(zeroGroup, noTaxIds) ?? (zeroGroup.length === 1 ? zeroGroup[0] : undefined);
  const fromTradify = (percentKey: string): TaxRateChoice | TaxRateProblem => {
    const group = groups.get(percentKey) ?? [];
    if (group.length === 1) return group[0]!;
    if (group.length === 0) return 'tax-rate-unmapped';
    return (percentKey === '0' ? pickNoTax(group, noTaxIds) : undefined) ?? 'tax-rate-ambiguous';
  };
  return {
    noTaxRate,
    knownPercents: [...groups.values()].map((g) => g[0]!.percent),
    forLine(clinikoName, percent) {
      const nameKey = clinikoName?.trim().toLowerCase() ?? '';
      const percentKey = percent.toString();
      const cacheKey = `${nameKey}\u0000${percentKey}`;
      let found = cache.get(cacheKey);
      if (found === undefined) {
        found = (nameKey === '' ? undefined : byName.get(nameKey)) ?? byPercent.get(percentKey) ?? fromTradify(percentKey);
        cache.set(cacheKey, found);
      }
      return found;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// A line's rate

/** Where a line's tax rate came from. */
export type RateSource = 'tax_rate' | 'tax_amount' | 'ratio' | 'zero-line' | 'missing';

/** A Cliniko line's rate in percent, and how it was read. */
export interface LineRate {
  percent: Decimal | undefined;
  source: RateSource;
}

/**
 * A Cliniko item's tax rate: `tax_rate`, else the deprecated `tax_amount` when `tax_name` is
 * set, else the ratio `total_including_tax / net_price` (snapped to a known Tradify percent
 * when one reproduces the line). Never silently 0 %: a zero-value line with no tax data reads
 * as 0 % with source `'zero-line'`, and a line with no way to tell is `'missing'`.
 */
export function lineTaxRate(item: Pick<ClinikoInvoiceItem, 'tax_rate' | 'tax_amount' | 'tax_name' | 'net_price' | 'total_including_tax'>, knownPercents: readonly Decimal[]): LineRate {
  const explicit = Decimal.tryFrom(item.tax_rate);
  if (explicit !== undefined) return { percent: explicit, source: 'tax_rate' };
  const legacy = Decimal.tryFrom(item.tax_amount);
  if (legacy !== undefined && tidySpaces(item.tax_name) !== '') return { percent: legacy, source: 'tax_amount' };
  const net = Decimal.tryFrom(item.net_price);
  const total = Decimal.tryFrom(item.total_including_tax);
  if (net === undefined || total === undefined) return { percent: undefined, source: 'missing' };
  if (net.isZero()) return total.isZero() ? { percent: ZERO, source: 'zero-line' } : { percent: undefined, source: 'missing' };
  return { percent: rateFromRatio(net, total, knownPercents), source: 'ratio' };
}

function rateFromRatio(net: Decimal, total: Decimal, knownPercents: readonly Decimal[]): Decimal {
  const tax = total.round(2).sub(net.round(2));
  const reproduces = (p: Decimal) => net.round(2).mul(p).div(HUNDRED, 2).eq(tax);
  const known = knownPercents.find(reproduces);
  if (known !== undefined) return known;
  const ratio = total.div(net, 8).sub(Decimal.ONE).mul(HUNDRED);
  for (const places of [0, 1, 2, 3, 4]) {
    const candidate = ratio.round(places);
    if (reproduces(candidate)) return candidate.normalize();
  }
  return ratio.round(4).normalize();
}

// ---------------------------------------------------------------------------------------------
// Mapping the lines

/** One Cliniko line's mapped form and its check. */
export interface MappedLine {
  itemId: string;
  input: TradifyLineItemInput;
  /** The amounts the contract's arithmetic gives for `input`. */
  amounts: LineAmounts;
  /** Cliniko's `net_price` and `total_including_tax` as sent (matched to within half a cent). */
  target: { net: Decimal; total: Decimal };
  reproduced: boolean;
  /** True when the line was sent as 1 × its amount instead of Cliniko's quantity and price. */
  restated: boolean;
  ratePercent: Decimal | undefined;
  rateSource: RateSource;
}

/** The result of {@link mapInvoiceLines}. */
export interface MappedLines {
  taxMode: TradifyTaxMode;
  lines: MappedLine[];
  /** The rounding line, when the policy allowed one and it was needed. */
  roundingLine: TradifyLineItemInput | undefined;
  lineItems: TradifyLineItemInput[];
  /** The contract's totals of `lineItems`. */
  totals: { subtotal: Decimal; totalTax: Decimal; total: Decimal };
  /** Cliniko's invoice total (to the cent) the mapping was checked against. */
  clinikoTotal: Decimal;
  findings: Finding[];
  /** False when some line or the total could not be reproduced: the invoice must stay a draft. */
  reproducible: boolean;
}

interface LineFacts {
  item: ClinikoInvoiceItem;
  quantity: Decimal | undefined;
  unitPrice: Decimal | undefined;
  discount: Decimal;
  netExact: Decimal | undefined;
  target: { net: Decimal; total: Decimal } | undefined;
  rate: LineRate;
  choice: TaxRateChoice | TaxRateProblem | undefined;
}

const HALF_CENT = Decimal.from('0.005');

/**
 * "To the cent" for a figure Cliniko sends with more places (`81.818`, or `10485.755` already
 * rounded from `10485.7545`): a 2-place amount matches when it is within half a cent of it,
 * so both neighbours of an exact half match and a 2-place figure must match exactly.
 */
function withinHalfCent(amount: Decimal, exact: Decimal): boolean {
  return amount.sub(exact).abs().cmp(HALF_CENT) <= 0;
}

/** The whole-cent amounts within half a cent of `exact` (one, or two at an exact half). */
function centsNear(exact: Decimal): Decimal[] {
  const down = exact.sign() >= 0 ? exact.sub(HALF_CENT).round(2) : exact.add(HALF_CENT).round(2);
  return [exact.round(2), down].filter((c, i, all) => withinHalfCent(c, exact) && all.findIndex((o) => o.eq(c)) === i);
}

function isTradifyAmount(d: Decimal | undefined): d is Decimal {
  return d !== undefined && d.decimalPlaces() <= 2;
}

function isTradifyDiscount(d: Decimal | undefined): d is Decimal {
  return d !== undefined && d.decimalPlaces() <= 4 && d.sign() >= 0 && d.cmp(HUNDRED) <= 0;
}

function lineFacts(item: ClinikoInvoiceItem, taxes: ResolvedTaxTable): LineFacts {
  const quantity = Decimal.tryFrom(item.quantity);
  const unitPrice = Decimal.tryFrom(item.unit_price);
  const discount = Decimal.tryFrom(item.discount_percentage) ?? ZERO;
  const rate = lineTaxRate(item, taxes.knownPercents);
  const netExact = Decimal.tryFrom(item.net_price) ?? (quantity && unitPrice ? quantity.mul(unitPrice).mul(HUNDRED.sub(discount)).div(HUNDRED, 4) : undefined);
  const totalExact = Decimal.tryFrom(item.total_including_tax);
  let target: LineFacts['target'];
  if (netExact !== undefined && totalExact !== undefined) target = { net: netExact, total: totalExact };
  else if (netExact !== undefined && rate.percent !== undefined) {
    const net = netExact.round(2);
    target = { net, total: net.add(net.mul(rate.percent).div(HUNDRED, 2)) };
  }
  const choice = rate.percent === undefined ? undefined : taxes.forLine(item.tax_name, rate.percent);
  return { item, quantity, unitPrice, discount, netExact, target, rate, choice };
}

/** Ways to write the line for Tradify, most faithful first; the restated `1 × amount` forms last. */
function* candidateEncodings(facts: LineFacts, mode: 'exclusive' | 'inclusive', percent: Decimal): Generator<{ enc: LineEncoding; restated: boolean }> {
  const { quantity: q, unitPrice: u, discount: d, target } = facts;
  if (isTradifyAmount(q) && isTradifyAmount(u)) {
    if (isTradifyDiscount(d)) yield { enc: { quantity: q, unitPrice: u, discountPercent: d }, restated: false };
    const gross = q.mul(u);
    if (mode === 'inclusive') {
      const incUnit = u.mul(HUNDRED.add(percent)).div(HUNDRED, 6);
      if (isTradifyAmount(incUnit) && isTradifyDiscount(d)) yield { enc: { quantity: q, unitPrice: incUnit, discountPercent: d }, restated: false };
    }
    const wanted = mode === 'exclusive' ? facts.netExact : target?.total;
    if (!gross.isZero() && wanted !== undefined) {
      const base = mode === 'exclusive' ? gross : gross.mul(HUNDRED.add(percent)).div(HUNDRED, 6);
      const derived = HUNDRED.sub(wanted.mul(HUNDRED).div(base, 4)).normalize();
      if (isTradifyDiscount(derived) && isTradifyAmount(base)) yield { enc: { quantity: q, unitPrice: base, discountPercent: derived }, restated: false };
    }
  }
  if (target !== undefined) {
    for (const amount of centsNear(mode === 'exclusive' ? target.net : target.total)) {
      yield { enc: { quantity: Decimal.ONE, unitPrice: amount, discountPercent: ZERO }, restated: true };
    }
  }
}

type Tried = { enc: LineEncoding; restated: boolean; amounts: LineAmounts };

/** The first encoding that reproduces the target (`hit`), else the first one tried. */
function firstReproducing(facts: LineFacts, mode: 'exclusive' | 'inclusive', percent: Decimal | undefined): { hit: Tried | undefined; fallback: Tried | undefined } {
  if (percent === undefined) return { hit: undefined, fallback: undefined };
  const { target } = facts;
  let fallback: Tried | undefined;
  for (const candidate of candidateEncodings(facts, mode, percent)) {
    const tried: Tried = { enc: candidate.enc, restated: candidate.restated, amounts: computeLineAmounts(candidate.enc, mode, percent) };
    fallback ??= tried;
    if (target !== undefined && withinHalfCent(tried.amounts.amountExTax, target.net) && withinHalfCent(tried.amounts.amountIncTax, target.total)) return { hit: tried, fallback };
  }
  return { hit: undefined, fallback };
}

function describeLine(item: ClinikoInvoiceItem, findings: Finding[]): string {
  const raw = tidySpaces(item.name) || tidySpaces(item.code) || 'Item';
  const { text, cut } = cutToLength(raw, 200);
  if (cut) findings.push(finding('description-truncated', 'info', item.id, 'Line description cut to 200 characters', 'name'));
  return text;
}

function mapLine(facts: LineFacts, mode: 'exclusive' | 'inclusive', description: string): MappedLine {
  const { item, rate, choice, target } = facts;
  const percent = typeof choice === 'object' ? choice.percent : rate.percent;
  const taxRateId = typeof choice === 'object' ? choice.id : undefined;
  const { hit, fallback } = firstReproducing(facts, mode, percent);
  const chosen = hit ?? fallback;
  const enc = chosen?.enc ?? { quantity: Decimal.ONE, unitPrice: ZERO, discountPercent: ZERO };
  const input: TradifyLineItemInput = {
    type: item.product ? 'material' : 'misc',
    itemCode: tidySpaces(item.code) === '' ? null : cutToLength(tidySpaces(item.code), 100).text,
    description,
    quantity: enc.quantity.toString(),
    unitPrice: enc.unitPrice.toFixed(2),
    discountPercent: enc.discountPercent.toString(),
    taxRateId,
  };
  const amounts = chosen?.amounts ?? computeLineAmounts(enc, mode, ZERO);
  const reproduced = hit !== undefined && typeof choice === 'object';
  return {
    itemId: item.id,
    input,
    amounts,
    target: target ?? { net: ZERO, total: ZERO },
    reproduced,
    restated: chosen?.restated ?? false,
    ratePercent: rate.percent,
    rateSource: rate.source,
  };
}

function lineFindings(line: MappedLine, facts: LineFacts, index: number): Finding[] {
  const out: Finding[] = [];
  const field = `items[${index}]`;
  const id = facts.item.id;
  if (facts.rate.source === 'missing') out.push(finding('tax-rate-missing', 'error', id, 'Line has no tax rate, tax amount or totals to read a rate from', `${field}.tax_rate`));
  else if (facts.rate.source === 'ratio' || facts.rate.source === 'zero-line') {
    out.push(finding('tax-rate-inferred', 'info', id, `Line tax rate read from its totals (${facts.rate.percent!.toString()}%)`, `${field}.tax_rate`));
  }
  if (facts.choice === 'tax-rate-unmapped') out.push(finding('tax-rate-unmapped', 'error', id, `No Tradify tax rate for ${facts.rate.percent!.toString()}%: add it to mapping.taxTable`, `${field}.tax_rate`));
  if (facts.choice === 'tax-rate-ambiguous') out.push(finding('tax-rate-ambiguous', 'error', id, `Several Tradify tax rates at ${facts.rate.percent!.toString()}%: add one to mapping.taxTable`, `${field}.tax_rate`));
  if (line.restated && line.reproduced) out.push(finding('line-restated', 'info', id, 'Line sent as quantity 1 × its amount to keep Cliniko\u2019s totals within 2 decimal places', field));
  if (!line.reproduced && facts.rate.source !== 'missing' && typeof facts.choice === 'object') {
    out.push(finding('line-unreproducible', 'error', id, 'No quantity, price, discount and rate reproduce this line\u2019s net and total to the cent', field));
  }
  return out;
}

function sumTotals(lines: readonly LineAmounts[]): MappedLines['totals'] {
  let subtotal = ZERO;
  let totalTax = ZERO;
  for (const l of lines) {
    subtotal = subtotal.add(l.amountExTax);
    totalTax = totalTax.add(l.taxAmount);
  }
  return { subtotal, totalTax, total: subtotal.add(totalTax) };
}

/** What {@link mapInvoiceLines} needs besides the items. */
export interface InvoiceLinesInput {
  invoiceId: string;
  /** Cliniko's invoice `total_amount` (null: checked against the sum of the line totals). */
  totalAmount: string | null;
  /** Cliniko's `calculation_method`: 3 (tax inclusive) tries inclusive first. */
  calculationMethod: number | null;
  /** The live items (not deleted, not archived), in a stable order. */
  items: readonly ClinikoInvoiceItem[];
  taxes: ResolvedTaxTable;
  rounding: ResolvedMappingConfig['rounding'];
}

function mapInMode(facts: readonly LineFacts[], descriptions: readonly string[], mode: 'exclusive' | 'inclusive'): MappedLine[] {
  return facts.map((f, i) => mapLine(f, mode, descriptions[i]!));
}

function chooseMode(facts: readonly LineFacts[], descriptions: readonly string[], preferInclusive: boolean) {
  const order: Array<'exclusive' | 'inclusive'> = preferInclusive ? ['inclusive', 'exclusive'] : ['exclusive', 'inclusive'];
  const first = { mode: order[0]!, lines: mapInMode(facts, descriptions, order[0]!) };
  if (first.lines.every((l) => l.reproduced)) return { ...first, split: false };
  const attempts = [first, { mode: order[1]!, lines: mapInMode(facts, descriptions, order[1]!) }];
  const failures = (a: (typeof attempts)[number]) => a.lines.filter((l) => !l.reproduced).length;
  const best = attempts.reduce((a, b) => (failures(b) < failures(a) ? b : a));
  const eachLineSomewhere = facts.every((_, i) => attempts.some((a) => a.lines[i]!.reproduced));
  return { ...best, split: failures(best) > 0 && eachLineSomewhere };
}

function roundingLine(diff: Decimal, input: InvoiceLinesInput): TradifyLineItemInput | undefined {
  const { rounding, taxes } = input;
  if (!rounding.allowRoundingLine || diff.abs().cmp(rounding.maxAmount) > 0 || taxes.noTaxRate === undefined) return undefined;
  return { type: 'misc', itemCode: null, description: rounding.description, quantity: '1', unitPrice: diff.toFixed(2), discountPercent: '0', taxRateId: taxes.noTaxRate.id };
}

/**
 * Chooses one `taxMode` for the invoice and, per live Cliniko item, the Tradify line, then
 * checks every line and the invoice total against Cliniko's figures to the cent.
 *
 * @example
 * ```ts
 * const mapped = mapInvoiceLines({ invoiceId, totalAmount: invoice.total_amount, calculationMethod: invoice.calculation_method, items, taxes, rounding: config.rounding });
 * if (!mapped.reproducible) { } // keep it a draft and show mapped.findings
 * ```
 */
export function mapInvoiceLines(input: InvoiceLinesInput): MappedLines {
  const findings: Finding[] = [];
  const facts = input.items.map((item) => lineFacts(item, input.taxes));
  const descriptions = input.items.map((item) => describeLine(item, findings));
  const { mode, lines, split } = chooseMode(facts, descriptions, input.calculationMethod === 3);
  lines.forEach((line, i) => findings.push(...lineFindings(line, facts[i]!, i)));
  if (split) findings.push(finding('no-single-tax-mode', 'error', input.invoiceId, 'Some lines reproduce only tax-exclusive and others only tax-inclusive; Tradify allows one mode per invoice'));
  const lineTotals = lines.map((l) => l.amounts);
  let totals = sumTotals(lineTotals);
  const clinikoExact = Decimal.tryFrom(input.totalAmount) ?? totals.total;
  const clinikoTotal = clinikoExact.round(2);
  const diff = withinHalfCent(totals.total, clinikoExact) ? ZERO : clinikoTotal.sub(totals.total);
  let extra: TradifyLineItemInput | undefined;
  if (!diff.isZero()) {
    extra = roundingLine(diff, input);
    if (extra) {
      findings.push(finding('rounding-line-added', 'info', input.invoiceId, `A GST-free rounding line of ${diff.toFixed(2)} makes the total match Cliniko's`, 'total_amount'));
      totals = sumTotals([...lineTotals, { amountExTax: diff.round(2), taxAmount: ZERO, amountIncTax: diff.round(2) }]);
    } else {
      findings.push(finding('invoice-total-differs', 'error', input.invoiceId, `The mapped total differs from Cliniko's by ${diff.toFixed(2)}`, 'total_amount'));
    }
  }
  const lineItems = lines.map((l) => l.input);
  if (extra) lineItems.push(extra);
  const reproducible = lines.every((l) => l.reproduced) && withinHalfCent(totals.total, clinikoExact);
  return { taxMode: mode, lines, roundingLine: extra, lineItems, totals, clinikoTotal, findings, reproducible };
}
