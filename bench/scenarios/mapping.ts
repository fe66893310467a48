/**
 * `npm run bench -- mapping [--patients=N] [--invoices=N]`: the pure mapping layer's speed on
 * one core, schema parsing included.
 *
 * (a) 100,000 patients: zod parse + patient → customer. Target ≥ 100,000 patients/s.
 * (b) 100,000 invoices of 3 items: zod parse of the invoice and its items + invoice mapping
 *     (GST line reproduction, owner) + status planning. Target ≥ 25,000 invoices/s.
 *
 * The raw JSON records are generated a page (1,000) at a time outside the timed sections
 * (seeded, deterministic), so the live heap stays page-sized as in a real sync.
 *
 * @module
 */
import os from 'node:os';
import { clinikoInvoiceItemSchema, type ClinikoInvoiceItem } from '../../src/cliniko/schemas/invoice-item.js';
import { clinikoInvoiceSchema, type ClinikoInvoice } from '../../src/cliniko/schemas/invoice.js';
import { clinikoPatientSchema, type ClinikoPatient } from '../../src/cliniko/schemas/patient.js';
import { resolveMappingConfig } from '../../src/mapping/config.js';
import { createMappingContext } from '../../src/mapping/context.js';
import { mapPatientToCustomer } from '../../src/mapping/customer.js';
import { mapInvoice } from '../../src/mapping/invoice.js';
import { buildOwnerDirectory } from '../../src/mapping/owner.js';
import { planInvoiceActions } from '../../src/mapping/status.js';
import { checkTaxTable } from '../../src/mapping/tax.js';
import type { TradifyTaxRate } from '../../src/tradify/port.js';
import { peakRssMiB, type BenchCase, type BenchResult } from '../lib/report.js';

const API = 'https://api.au1.cliniko.com/v1';
const FIRST = ['Jane', 'Ahmed', 'Zoë', 'Liam', 'Mei', 'Olivia', 'Noah', 'Aroha', 'Sanjay', 'Chloé'];
const LAST = ['Citizen', 'Nguyen', 'Smith', "O'Brien", 'Kowalski', 'Papadopoulos', 'Lee', 'García'];
const STATES = ['Victoria', 'NSW', 'qld', 'Western Australia', 'TAS', ''];
const RATES: TradifyTaxRate[] = [
  { id: 'tax_gst', name: 'GST', rate: '10', isDefault: true, isNoTax: false, active: true },
  { id: 'tax_free', name: 'GST Free', rate: '0', isDefault: false, isNoTax: true, active: true },
];

/** A small deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function rawPatient(i: number, rnd: () => number): Record<string, unknown> {
  const id = String(1390710863102485699n + BigInt(i));
  const first = FIRST[i % FIRST.length]!;
  const last = LAST[(i * 7) % LAST.length]!;
  return {
    id,
    created_at: '2024-04-02T19:12:05Z',
    updated_at: '2024-04-03T01:40:11Z',
    archived_at: rnd() < 0.05 ? '2025-01-01T00:00:00Z' : null,
    deleted_at: null,
    merged_at: null,
    first_name: first,
    last_name: last,
    preferred_first_name: rnd() < 0.1 ? 'JJ' : null,
    email: rnd() < 0.1 ? `${first}.${i}@Example.com, family${i}@example.com` : `${first.toLowerCase()}${i}@example.com`,
    address_1: `${i % 300} Example St`,
    address_2: rnd() < 0.2 ? 'Unit 4' : '',
    address_3: '',
    city: 'Melbourne',
    state: STATES[i % STATES.length],
    post_code: '3000',
    country: 'Australia',
    country_code: rnd() < 0.5 ? 'AU' : null,
    patient_phone_numbers: [
      { phone_type: 'Mobile', number: '0412 345 678', normalized_number: '61412345678' },
      ...(rnd() < 0.3 ? [{ phone_type: 'Home', number: '03 9000 0000', normalized_number: '61390000000' }] : []),
    ],
    invoice_default_to: rnd() < 0.05 ? 'Acme Insurance' : '',
    custom_fields: null,
    merged_with_patient: null,
    links: { self: `${API}/patients/${id}` },
  };
}

function rawItem(invoiceId: string, j: number, rnd: () => number): Record<string, unknown> {
  const legacy = rnd() < 0.2;
  const unit = (Math.floor(rnd() * 20000) + 1000) / 100;
  const quantity = 1 + Math.floor(rnd() * 3);
  const discount = legacy ? '18.1818' : '0';
  const gross = (BigInt(Math.round(unit * 100)) * BigInt(quantity) * (legacy ? 818182n : 1000000n)) / 1000000n; // cents, truncated
  const net = (Number(gross) / 100).toFixed(2);
  const total = ((Number(gross) + Math.round(Number(gross) / 10)) / 100).toFixed(2);
  return {
    id: `${invoiceId.slice(0, -1)}${j}`,
    name: 'Standard consultation',
    code: `C${j}`,
    unit_price: unit.toFixed(2),
    quantity: legacy ? quantity : String(quantity),
    discount_percentage: discount,
    net_price: net,
    tax_name: 'GST',
    tax_rate: legacy ? null : '10.0',
    tax_amount: legacy ? '10.0' : null,
    total_including_tax: legacy ? Number(total) : total,
    created_at: '2024-04-03T00:15:02Z',
    updated_at: '2024-04-03T00:15:02Z',
    archived_at: null,
    deleted_at: null,
    invoice: { links: { self: `${API}/invoices/${invoiceId}` } },
  };
}

function rawInvoice(i: number, rnd: () => number): { invoice: Record<string, unknown>; items: Record<string, unknown>[] } {
  const id = String(1390730000000000000n + BigInt(i) * 10n);
  const items = [0, 1, 2].map((j) => rawItem(id, j, rnd));
  const total = items.reduce((s, it) => s + Math.round(Number(it.total_including_tax) * 100), 0);
  const status = [10, 20, 20, 30][i % 4];
  return {
    invoice: {
      id,
      number: 1000 + i,
      issue_date: '2026-06-30',
      status,
      calculation_method: 2,
      total_amount: (total / 100).toFixed(2),
      created_at: '2026-06-30T00:15:02Z',
      updated_at: '2026-06-30T00:15:02Z',
      closed_at: status === 20 ? '2026-06-30T14:30:00Z' : null,
      archived_at: null,
      deleted_at: null,
      patient: { links: { self: `${API}/patients/1390710863102485699` } },
      practitioner: { links: { self: `${API}/practitioners/${100 + (i % 5)}` } },
      links: { self: `${API}/invoices/${id}` },
    },
    items,
  };
}

function rate(count: number, ms: number): { perSecond: number; usPerRecord: number } {
  return { perSecond: Math.round(count / (ms / 1000)), usPerRecord: Math.round((ms * 1000 * 100) / count) / 100 };
}

/** Wall time and this process's CPU time (user + system) of `work`, in ms. */
function measure(work: () => void): { wallMs: number; cpuMs: number } {
  const cpu = process.cpuUsage();
  const started = performance.now();
  work();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000 };
}

function figures(count: number, unit: string, t: { wallMs: number; cpuMs: number }): { metrics: Record<string, number>; cpuPerSecond: number } {
  const wall = rate(count, t.wallMs);
  const cpu = rate(count, t.cpuMs);
  return {
    cpuPerSecond: cpu.perSecond,
    metrics: {
      'wall ms': Math.round(t.wallMs),
      'CPU ms': Math.round(t.cpuMs),
      [`µs / ${unit} (CPU)`]: cpu.usPerRecord,
      [`${unit}s / s (CPU, one core)`]: cpu.perSecond,
      [`µs / ${unit} (wall)`]: wall.usPerRecord,
      [`${unit}s / s (wall)`]: wall.perSecond,
    },
  };
}

const config = resolveMappingConfig();
const ctx = createMappingContext({ now: '2026-07-02T00:00:00Z' });

/** CPU µs per record spent in zod parsing and in the mapping itself. */
function split(count: number, parse: { cpuMs: number }, map: { cpuMs: number }): Record<string, number> {
  return { 'µs parse (CPU)': rate(count, parse.cpuMs).usPerRecord, 'µs map (CPU)': rate(count, map.cpuMs).usPerRecord };
}

/** Records are made in pages (as the engine reads them), so the live heap stays page-sized. */
const PAGE = 1_000;

function addTimes(a: { wallMs: number; cpuMs: number }, b: { wallMs: number; cpuMs: number }) {
  return { wallMs: a.wallMs + b.wallMs, cpuMs: a.cpuMs + b.cpuMs };
}

function benchPatients(count: number): BenchCase {
  const rnd = prng(42);
  let mapped = 0;
  let parse = { wallMs: 0, cpuMs: 0 };
  let map = { wallMs: 0, cpuMs: 0 };
  for (let start = 0; start < count; start += PAGE) {
    const raw = Array.from({ length: Math.min(PAGE, count - start) }, (_, i) => rawPatient(start + i, rnd));
    let parsed: ClinikoPatient[] = [];
    parse = addTimes(parse, measure(() => {
      parsed = raw.map((r) => clinikoPatientSchema.parse(r));
    }));
    map = addTimes(map, measure(() => {
      for (const patient of parsed) if (mapPatientToCustomer(patient, config, ctx).status === 'mapped') mapped += 1;
    }));
  }
  const t = addTimes(parse, map);
  const { metrics, cpuPerSecond } = figures(count, 'patient', t);
  return {
    name: `a: ${count.toLocaleString('en-AU')} patients (parse + map)`,
    metrics: { ...metrics, ...split(count, parse, map), mapped, 'peak RSS MiB': peakRssMiB() },
    targets: { '≥ 100,000 patients/s (CPU)': cpuPerSecond >= 100_000 },
  };
}

function benchInvoices(count: number): BenchCase {
  const rnd = prng(7);
  const taxes = checkTaxTable(RATES, config);
  const owners = buildOwnerDirectory({
    practitioners: [100, 101, 102, 103, 104].map((p) => ({ id: String(p), user: { links: { self: `${API}/users/${p}` } } })),
    users: [100, 101, 102, 103, 104].map((u) => ({ id: String(u), email: `Dr${u}@clinic.example` })),
    staff: [100, 101, 102, 103].map((s) => ({ id: `stf_${s}`, email: `dr${s}@clinic.example`, active: true })),
  });
  const customer = { id: 'cus_1', defaultInvoiceDueDays: null };
  let reproduced = 0;
  let actions = 0;
  let parse = { wallMs: 0, cpuMs: 0 };
  let map = { wallMs: 0, cpuMs: 0 };
  for (let start = 0; start < count; start += PAGE) {
    const raw = Array.from({ length: Math.min(PAGE, count - start) }, (_, i) => rawInvoice(start + i, rnd));
    let parsed: Array<{ invoice: ClinikoInvoice; items: ClinikoInvoiceItem[] }> = [];
    parse = addTimes(parse, measure(() => {
      parsed = raw.map((r) => ({ invoice: clinikoInvoiceSchema.parse(r.invoice), items: r.items.map((it) => clinikoInvoiceItemSchema.parse(it)) }));
    }));
    map = addTimes(map, measure(() => {
      for (const { invoice, items } of parsed) {
        const result = mapInvoice({ invoice, items, customer, taxes, owners }, config, ctx);
        if (result.status !== 'mapped') continue;
        if (!result.mustStayDraft) reproduced += 1;
        actions += planInvoiceActions({ invoice, items, mapping: result, current: null, payments: [], link: null }, config, ctx).actions.length;
      }
    }));
  }
  const t = addTimes(parse, map);
  const { metrics, cpuPerSecond } = figures(count, 'invoice', t);
  return {
    name: `b: ${count.toLocaleString('en-AU')} invoices × 3 items (parse + map + GST check + plan)`,
    metrics: { ...metrics, ...split(count, parse, map), reproduced, 'planned actions': actions, 'peak RSS MiB': peakRssMiB() },
    targets: { '≥ 25,000 invoices/s (CPU)': cpuPerSecond >= 25_000, 'every invoice reproduced': reproduced === count },
  };
}

function numberArg(args: readonly string[], name: string, fallback: number): number {
  const found = args.find((a) => a.startsWith(`--${name}=`));
  const value = found ? Number(found.split('=')[1]) : fallback;
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/** Run the scenario; `--patients=N` and `--invoices=N` shorten it. */
export async function run(args: readonly string[]): Promise<BenchResult> {
  const patients = numberArg(args, 'patients', 100_000);
  const invoices = numberArg(args, 'invoices', 100_000);
  // Warm the JIT on a small batch so the figures are steady-state.
  benchPatients(2_000);
  benchInvoices(1_000);
  return {
    scenario: 'mapping',
    notes: [
      'one core, one process; raw JSON generated per page of 1,000 outside the timing; zod schema parsing is inside the timed loop',
      'targets are judged on this process\'s CPU time (process.cpuUsage): on a shared machine wall time includes waiting for a core',
      `node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
    ],
    cases: [benchPatients(patients), benchInvoices(invoices)],
  };
}
