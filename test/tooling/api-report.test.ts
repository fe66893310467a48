/**
 * `npm run api:check` / `api:update` (scripts/api-report.mjs) on a small made-up package: one
 * report per entry point of package.json "exports", a check that fails on any change to the
 * public API and says how to update, and reports that do not churn when only comments move.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SCRIPT = join(ROOT, 'scripts/api-report.mjs');

// Shaped like tsup's output: declarations, then one export list. `Hidden` is used in a nested
// type but not exported, so API Extractor lists it at the end of the report with its place.
const indexDts = (padding: string) => `interface Hidden { a: string }
${padding}
/** A store. */
declare class Store {
  /** Rows. */
  readonly rows: {
    get(id: string): Hidden;
  };
}
export { Store };
`;
const extraDts = (params: string) => `/** Adds. */\ndeclare function add(${params}): number;\nexport { add };\n`;

let pkg: string;

function writeFile(path: string, text: string): void {
  mkdirSync(dirname(join(pkg, path)), { recursive: true });
  writeFileSync(join(pkg, path), text);
}

function apiReport(mode: 'check' | 'update'): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [SCRIPT, mode], { cwd: pkg, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const readReport = (name: string) => readFileSync(join(pkg, 'api', `${name}.api.md`), 'utf8');

beforeAll(() => {
  pkg = mkdtempSync(join(tmpdir(), 'api-report-'));
  symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'), 'dir');
  writeFile(
    'package.json',
    JSON.stringify({
      name: 'demo-pkg',
      version: '1.0.0',
      type: 'module',
      exports: {
        '.': { types: './dist/index.d.ts', default: './dist/index.js' },
        './extra/tools': { types: './dist/extra.d.ts', default: './dist/extra.js' },
        './package.json': './package.json',
      },
    }),
  );
  writeFile('dist/index.d.ts', indexDts(''));
  writeFile('dist/extra.d.ts', extraDts('a: number, b: number'));
});

afterAll(() => {
  if (pkg) rmSync(pkg, { recursive: true, force: true });
});

describe('api-report', () => {
  it('writes one report per typed entry point, listing unexported types without their place', () => {
    expect(apiReport('update').status).toBe(0);
    const index = readReport('index');
    expect(index).toContain('get(id: string): Hidden;');
    expect(index).toContain('// (ae-forgotten-export) The symbol "Hidden" needs to be exported by the entry point index.d.ts');
    expect(index).not.toMatch(/\.d\.ts:\d+:\d+/);
    expect(readReport('extra-tools')).toContain('export function add(a: number, b: number): number;');
    expect(existsSync(join(pkg, 'api', 'package.json.api.md'))).toBe(false);
  }, 120_000);

  it('fails on a changed signature or a report without entry point, not on moved comments', () => {
    const before = { index: readReport('index'), extra: readReport('extra-tools') };
    writeFile('dist/index.d.ts', indexDts('// a comment\n// that moves\n// every line below'));
    writeFile('dist/extra.d.ts', extraDts('a: number, b: number, c?: number'));
    writeFile('api/removed.api.md', 'old report\n');
    const { status, output } = apiReport('check');
    expect(status).toBe(1);
    expect(output).toContain('. → api/index.api.md unchanged');
    expect(output).toContain('./extra/tools → api/extra-tools.api.md DIFFERS');
    expect(output).toContain('-export function add(a: number, b: number): number;');
    expect(output).toContain('+export function add(a: number, b: number, c?: number): number;');
    expect(output).toContain('api/removed.api.md matches no entry point');
    expect(output).toContain('run `npm run build && npm run api:update` and commit api/');
    expect({ index: readReport('index'), extra: readReport('extra-tools') }).toEqual(before);
  }, 120_000);

  it('update rewrites the changed report and removes the orphan, after which check passes', () => {
    expect(apiReport('update').status).toBe(0);
    expect(readReport('extra-tools')).toContain('export function add(a: number, b: number, c?: number): number;');
    expect(existsSync(join(pkg, 'api', 'removed.api.md'))).toBe(false);
    expect(apiReport('check').status).toBe(0);
  }, 120_000);

  it('asks for a build when the declarations are missing', () => {
    rmSync(join(pkg, 'dist', 'extra.d.ts'));
    const { status, output } = apiReport('check');
    expect(status).toBe(1);
    expect(output).toContain('no built declarations for ./extra/tools; run `npm run build` first');
  }, 60_000);
});
