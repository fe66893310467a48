/**
 * The dependency rule in .dependency-cruiser.mjs (what `npm run lint:deps` checks) catches each
 * kind of back-arrow and lets every allowed arrow through. It cruises a small made-up `src/`
 * tree laid out like ours, so the check is proved on known edges rather than on today's code.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const CONFIG = join(ROOT, '.dependency-cruiser.mjs');

/** Arrows the rule allows: the layers, type imports from the clients, their schemas and the port's capability reading, demo → testing. */
const allowed: Record<string, string> = {
  'src/version.ts': `export const VERSION = '0';`,
  'src/core/errors.ts': `export class SyncError extends Error {}`,
  'src/core/http.ts': `import ky from 'ky';\nimport { SyncError } from './errors.js';\nexport const http = [ky, SyncError];`,
  'src/cliniko/schemas/patient.ts': `import { SyncError } from '../../core/errors.js';\nexport type Patient = { id: string };\nexport const e = SyncError;`,
  'src/cliniko/client.ts': `import { http } from '../core/http.js';\nimport { VERSION } from '../version.js';\nexport class ClinikoClient { h = [http, VERSION]; }`,
  'src/tradify/schemas.ts': `export const customerSchema = {};`,
  'src/tradify/port.ts': `import type { SyncError } from '../core/errors.js';\nexport interface TradifyPort { e?: SyncError }`,
  'src/tradify/capabilities.ts': `import type { TradifyPort } from './port.js';\nexport const ownersOn = (port: TradifyPort): boolean => port.e === undefined;`,
  'src/mapping/customer.ts': [
    `import type { Patient } from '../cliniko/schemas/patient.js';`,
    `import type { ClinikoClient } from '../cliniko/client.js';`,
    `import type { TradifyPort } from '../tradify/port.js';`,
    `import { customerSchema } from '../tradify/schemas.js';`,
    `import { ownersOn } from '../tradify/capabilities.js';`,
    `export type Input = [Patient, ClinikoClient, TradifyPort, typeof customerSchema, typeof ownersOn];`,
  ].join('\n'),
  'src/sync/ports.ts': `export interface StateStore { id: string }\nexport interface Alerter { id: string }`,
  'src/sync/engine.ts': [
    `import { ClinikoClient } from '../cliniko/client.js';`,
    `import type { TradifyPort } from '../tradify/port.js';`,
    `import type { Input } from '../mapping/customer.js';`,
    `import type { StateStore } from './ports.js';`,
    `export class SyncEngine { c = ClinikoClient; t?: TradifyPort; i?: Input; s?: StateStore }`,
  ].join('\n'),
  'src/stores/memory.ts': `import type { StateStore } from '../sync/ports.js';\nimport { SyncError } from '../core/errors.js';\nexport class MemoryStore implements StateStore { id = String(SyncError) }`,
  'src/alerts/console.ts': `import type { Alerter } from '../sync/ports.js';\nexport class ConsoleAlerter implements Alerter { id = 'c' }`,
  'src/worker/worker.ts': [
    `import { SyncEngine } from '../sync/engine.js';`,
    `import { MemoryStore } from '../stores/memory.js';`,
    `import { ConsoleAlerter } from '../alerts/console.js';`,
    `export const parts = [SyncEngine, MemoryStore, ConsoleAlerter];`,
  ].join('\n'),
  'src/testing/index.ts': [
    `import type { StateStore } from '../sync/ports.js';`,
    `import type { TradifyPort } from '../tradify/port.js';`,
    `import { SyncError } from '../core/errors.js';`,
    `export type Fakes = [StateStore, TradifyPort];\nexport const e = SyncError;`,
  ].join('\n'),
  'src/cli/demo.ts': `import { e } from '../testing/index.js';\nimport { parts } from '../worker/worker.js';\nexport const demo = [e, parts];`,
  'src/index.ts': `export { SyncEngine } from './sync/engine.js';\nexport { ClinikoClient } from './cliniko/client.js';`,
};

/** One back-arrow per file, with the rule that must name it. */
const backArrows: Array<{ file: string; code: string; rule: string; to: string }> = [
  { file: 'src/core/dates.ts', code: `import type { StateStore } from '../sync/ports.js';\nexport type D = StateStore;`, rule: 'core-imports-only-below', to: 'src/sync/ports.ts' },
  { file: 'src/cliniko/links.ts', code: `import type { TradifyPort } from '../tradify/port.js';\nexport type L = TradifyPort;`, rule: 'cliniko-imports-only-below', to: 'src/tradify/port.ts' },
  { file: 'src/tradify/http-client.ts', code: `import { ClinikoClient } from '../cliniko/client.js';\nexport const c = ClinikoClient;`, rule: 'tradify-imports-only-below', to: 'src/cliniko/client.ts' },
  { file: 'src/mapping/invoice.ts', code: `import { ClinikoClient } from '../cliniko/client.js';\nexport const c = ClinikoClient;`, rule: 'mapping-only-types-from-clients', to: 'src/cliniko/client.ts' },
  { file: 'src/mapping/plan.ts', code: `import type { SyncEngine } from '../sync/engine.js';\nexport type P = SyncEngine;`, rule: 'mapping-imports-only-below', to: 'src/sync/engine.ts' },
  { file: 'src/mapping/fetching.ts', code: `import ky from 'ky';\nexport const k = ky;`, rule: 'no-ky-in-mapping-or-sync', to: 'ky' },
  { file: 'src/mapping/files.ts', code: `import { readFileSync } from 'node:fs';\nexport const r = readFileSync;`, rule: 'no-node-builtins-in-mapping', to: 'fs' },
  { file: 'src/sync/transport.ts', code: `import type { KyInstance } from 'ky';\nexport type K = KyInstance;`, rule: 'no-ky-in-mapping-or-sync', to: 'ky' },
  { file: 'src/sync/run-alerts.ts', code: `import type { ConsoleAlerter } from '../alerts/console.js';\nexport type A = ConsoleAlerter;`, rule: 'sync-imports-only-below', to: 'src/alerts/console.ts' },
  { file: 'src/sync/streams/runner.ts', code: `import { ESTIMATE } from '../estimate.js';\nexport const r = ESTIMATE;`, rule: 'stream-loop-not-from-estimate', to: 'src/sync/estimate.ts' },
  { file: 'src/sync/streams/invoices.ts', code: `import { syncPatient } from './patients.js';\nexport const i = syncPatient;`, rule: 'streams-independent', to: 'src/sync/streams/patients.ts' },
  { file: 'src/stores/sqlite.ts', code: `import type { SyncEngine } from '../sync/engine.js';\nexport type S = SyncEngine;`, rule: 'stores-imports-only-below', to: 'src/sync/engine.ts' },
  { file: 'src/alerts/dedupe.ts', code: `import { MemoryStore } from '../stores/memory.js';\nexport const m = MemoryStore;`, rule: 'alerts-imports-only-below', to: 'src/stores/memory.ts' },
  { file: 'src/worker/schedule.ts', code: `import { demo } from '../cli/demo.js';\nexport const d = demo;`, rule: 'worker-imports-only-below', to: 'src/cli/demo.ts' },
  { file: 'src/testing/fake-cliniko.ts', code: `import type { Patient } from '../cliniko/schemas/patient.js';\nexport type F = Patient;`, rule: 'testing-not-client-schemas', to: 'src/cliniko/schemas/patient.ts' },
  { file: 'src/testing/fake-cliniko.ts', code: '', rule: 'testing-imports-only-below', to: 'src/cliniko/schemas/patient.ts' },
  { file: 'src/testing/fake-tradify.ts', code: `import { customerSchema } from '../tradify/schemas.js';\nexport const s = customerSchema;`, rule: 'testing-not-client-schemas', to: 'src/tradify/schemas.ts' },
  { file: 'src/testing/fake-tradify.ts', code: '', rule: 'testing-imports-only-below', to: 'src/tradify/schemas.ts' },
  { file: 'src/cli/program.ts', code: `import { e } from '../testing/index.js';\nexport const p = e;`, rule: 'only-demo-uses-testing', to: 'src/testing/index.ts' },
  { file: 'src/sync/missing.ts', code: `import { gone } from './not-there.js';\nexport const g = gone;`, rule: 'not-to-unresolvable', to: './not-there.js' },
];

/** Two modules that know each other through `import type` alone still form a cycle. */
const typeOnlyCycle: Record<string, string> = {
  'src/sync/reconcile/context.ts': `import type { Status } from './status.js';\nexport type Context = { status?: Status };`,
  'src/sync/reconcile/status.ts': `import type { Context } from './context.js';\nexport type Status = { context?: Context };`,
  'src/sync/estimate.ts': `export const ESTIMATE = 1;`,
  'src/sync/streams/patients.ts': `export const syncPatient = 1;`,
};

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

let fixture: string;
let violations: Violation[];

function writeTree(files: Record<string, string>): void {
  for (const [path, code] of Object.entries(files)) {
    mkdirSync(dirname(join(fixture, path)), { recursive: true });
    writeFileSync(join(fixture, path), `${code}\n`);
  }
}

function cruise(): Violation[] {
  const result = spawnSync(process.execPath, [DEPCRUISE, 'src', '--config', CONFIG, '--output-type', 'json'], {
    cwd: fixture,
    encoding: 'utf8',
  });
  if (result.stdout === '') throw new Error(`depcruise printed nothing: ${result.stderr}`);
  return (JSON.parse(result.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

/** "node_modules/ky/distribution/index.js" → "ky"; local paths as they are. */
function target(to: string): string {
  return /(?:^|\/)node_modules\/([^/]+)\//.exec(to)?.[1] ?? to;
}

beforeAll(() => {
  fixture = mkdtempSync(join(tmpdir(), 'depcruise-rules-'));
  symlinkSync(join(ROOT, 'node_modules'), join(fixture, 'node_modules'), 'dir');
  writeFileSync(
    join(fixture, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true }, include: ['src'] }),
  );
  writeTree(allowed);
  writeTree(typeOnlyCycle);
  writeTree(Object.fromEntries(backArrows.filter((b) => b.code !== '').map((b) => [b.file, b.code])));
  violations = cruise();
}, 60_000);

afterAll(() => {
  if (fixture) rmSync(fixture, { recursive: true, force: true });
});

describe('the dependency rule (.dependency-cruiser.mjs)', () => {
  it('names every back-arrow with its rule, and nothing else', () => {
    const found = violations
      .filter((v) => v.rule.name !== 'no-circular')
      .map((v) => `${v.rule.name}: ${v.from} → ${target(v.to)}`)
      .sort();
    const expected = backArrows.map((b) => `${b.rule}: ${b.file} → ${b.to}`).sort();
    expect(found).toEqual(expected);
  });

  it('reports a cycle made only of type imports', () => {
    const cycles = violations.filter((v) => v.rule.name === 'no-circular');
    expect(cycles).toHaveLength(1);
    expect([cycles[0]!.from, cycles[0]!.to].sort()).toEqual(['src/sync/reconcile/context.ts', 'src/sync/reconcile/status.ts']);
  });

  it('lets every allowed arrow through', () => {
    const fromAllowed = violations.filter((v) => v.from in allowed);
    expect(fromAllowed).toEqual([]);
  });
});
