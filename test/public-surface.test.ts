/**
 * The public surface: what each entry point of package.json `exports` gives, read through the
 * package names as an integrator imports them (the vitest aliases), and the build, typedoc,
 * tsconfig and vitest wiring of every entry agreeing with `exports`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SyncEngine } from 'cliniko-tradify';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGE = 'cliniko-tradify';

type ExportTarget = { types: string; default: string };
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, ExportTarget | string> };
const typedoc = JSON.parse(readFileSync(join(ROOT, 'typedoc.json'), 'utf8')) as { entryPoints: string[] };
const tsconfigPaths = (JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } }).compilerOptions.paths;

/** Subpath (`.`, `./mapping`…) → its `exports` target, code entries only. */
const entries = Object.entries(packageJson.exports).filter((e): e is [string, ExportTarget] => typeof e[1] === 'object');

/** tsup's `entry` map (`'mapping/index': 'src/mapping/index.ts'`), read from its config text. */
function tsupEntries(): Map<string, string> {
  const text = readFileSync(join(ROOT, 'tsup.config.ts'), 'utf8');
  const block = /entry:\s*\{([^}]*)\}/.exec(text)?.[1] ?? '';
  return new Map([...block.matchAll(/'?([\w/-]+)'?:\s*'([^']+)'/g)].map((m) => [m[1]!, m[2]!]));
}

/** The source file tsup builds an `exports` target from. */
function sourceOf(target: ExportTarget): string | undefined {
  const built = /^\.\/dist\/(.+)\.js$/.exec(target.default)?.[1];
  return built === undefined ? undefined : tsupEntries().get(built);
}

/** The file tsconfig `paths` maps a package specifier to (exact keys first, then `*`). */
function tsconfigTarget(specifier: string): string | undefined {
  const exact = tsconfigPaths[specifier]?.[0];
  if (exact !== undefined) return exact.replace(/^\.\//, '');
  for (const [pattern, [target]] of Object.entries(tsconfigPaths)) {
    const [prefix, suffix] = pattern.split('*');
    if (suffix === undefined || target === undefined || !specifier.startsWith(prefix!) || !specifier.endsWith(suffix)) continue;
    return target.replace('*', specifier.slice(prefix!.length, specifier.length - suffix.length)).replace(/^\.\//, '');
  }
  return undefined;
}

const specifierOf = (subpath: string) => (subpath === '.' ? PACKAGE : `${PACKAGE}${subpath.slice(1)}`);

async function loadEntry(subpath: string): Promise<Record<string, unknown>> {
  return (await import(/* @vite-ignore */ specifierOf(subpath))) as Record<string, unknown>;
}

/** Helpers the library uses internally; no user should call them, so no entry exports them. */
const PLUMBING = [
  'RequestLimiter',
  'sharedLimiter',
  'backoffDelayMs',
  'isRetryableMethod',
  'encodeQuery',
  'assertSafeBaseUrl',
  'zodIssues',
  'systemClock',
  'compileFilters',
  'toClinikoTimestamp',
  'shardFromApiKey',
  'clinikoBaseUrl',
  'DEFAULT_CLINIKO_SHARD',
  'compareIds',
  'liveItems',
  'computeLineAmounts',
  'lineTaxRate',
  'cutToLength',
  'emailKey',
  'invoicePatch',
  'hasBlockingFinding',
  'idempotencyKey',
  'estimateEta',
  'alertFingerprint',
  'aggregateAlerts',
  'isDueInMinute',
  'minuteStart',
  'slotJobId',
  'reconcileInternals',
];

describe('the root entry', () => {
  it('exports at most 60 values, among them what an integrator needs', async () => {
    const root = await loadEntry('.');
    expect(Object.keys(root).length).toBeLessThanOrEqual(60);
    for (const name of [
      'ClinikoClient',
      'HttpTradifyClient',
      'SyncEngine',
      'MemoryStateStore',
      'ConsoleAlerter',
      'CallbackAlerter',
      'WebhookAlerter',
      'DedupingAlerter',
      'createScheduler',
      'ExponentialBackoffRetryPolicy',
      'ReconciliationReport',
      'writeReportFiles',
      'veto',
      'createLeaseOwner',
      'silentLogger',
    ]) {
      expect(root, name).toHaveProperty(name);
    }
  });

  it('exports every error class of the family and every guard, each class a ClinikoTradifyError', async () => {
    const root = await loadEntry('.');
    const family = (await import('../src/core/errors.js')) as Record<string, unknown>;
    const classes = Object.keys(family).filter((name) => typeof family[name] === 'function' && (family[name] as { prototype: unknown }).prototype instanceof Error);
    const guards = Object.keys(family).filter((name) => /^is[A-Z]\w*Error$/.test(name));
    expect(classes).toEqual(expect.arrayContaining(['ClinikoTradifyError', 'RedirectError', 'ResponseTooLargeError', 'LeaseHeldError', 'LeaseLostError']));
    expect(guards).toEqual(expect.arrayContaining(['isClinikoTradifyError', 'isRedirectError', 'isResponseTooLargeError', 'isTransientError']));
    for (const name of [...classes, ...guards]) expect(root[name], name).toBe(family[name]);
    for (const name of classes.filter((n) => n !== 'ClinikoTradifyError')) {
      expect((family[name] as { prototype: unknown }).prototype, name).toBeInstanceOf(family.ClinikoTradifyError as new () => Error);
    }
  });

  it('leaves the optional features to their subpaths (no native module, msw or pg from the root)', async () => {
    const root = await loadEntry('.');
    for (const name of ['SqliteStateStore', 'PostgresStateStore', 'startWorker', 'clinikoHandlers', 'startFakeCliniko']) expect(root).not.toHaveProperty(name);
  });
});

describe('subpath entries by audience', () => {
  it('./mapping has the pure mapping functions, ./cliniko the record schemas, ./http the HTTP client', async () => {
    const mapping = await loadEntry('./mapping');
    for (const name of ['resolveMappingConfig', 'createMappingContext', 'mapPatientToCustomer', 'mapInvoice', 'checkTaxTable', 'planInvoiceActions', 'veto', 'isVeto', 'Decimal']) {
      expect(mapping, name).toHaveProperty(name);
    }
    const cliniko = await loadEntry('./cliniko');
    for (const name of ['clinikoPatientSchema', 'clinikoInvoiceSchema', 'clinikoInvoiceItemSchema', 'linkedId', 'CLINIKO_INVOICE_STATUS']) expect(cliniko, name).toHaveProperty(name);
    const http = await loadEntry('./http');
    expect(Object.keys(http).sort()).toEqual(['HttpClient', 'RETRY_DEFAULTS', 'createHttpClient', 'worstCaseRequestMs']);
  });

  it('one mapping function is the same object from the root and from ./mapping', async () => {
    const [root, mapping] = await Promise.all([loadEntry('.'), loadEntry('./mapping')]);
    expect(mapping.veto).toBe(root.veto);
  });
});

describe('plumbing', () => {
  it.each(entries.map(([subpath]) => subpath))('is exported from no entry point: %s', async (subpath) => {
    const entry = await loadEntry(subpath);
    expect(PLUMBING.filter((name) => name in entry)).toEqual([]);
  });

  it('reconcileInternals is not reachable on the engine', () => {
    expect(Object.getOwnPropertyNames(SyncEngine.prototype)).not.toContain('reconcileInternals');
  });
});

describe('the wiring of every entry point agrees with package.json exports', () => {
  it.each(entries)('%s: types first, a tsup entry, a typedoc entry point, and tsconfig and vitest resolving to its source', async (subpath, target) => {
    expect(Object.keys(target)[0]).toBe('types');
    expect(target.types).toBe(target.default.replace(/\.js$/, '.d.ts'));
    const source = sourceOf(target);
    expect(source, `tsup builds ${target.default}`).toBeDefined();
    expect(typedoc.entryPoints).toContain(source);
    expect(tsconfigTarget(specifierOf(subpath))).toBe(source);
    const viaPackageName = await loadEntry(subpath);
    const viaSource = (await import(/* @vite-ignore */ join(ROOT, source!))) as Record<string, unknown>;
    expect(Object.keys(viaPackageName).sort()).toEqual(Object.keys(viaSource).sort());
  });
});
