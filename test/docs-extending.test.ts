/**
 * docs/extending.md is for adapter authors who have the npm package only: it links to the
 * repository's docs and examples, never to a source or test path (the package ships `dist/`
 * only), and every name its import table lists is exported by the entry point it names.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const page = readFileSync(join(ROOT, 'docs/extending.md'), 'utf8');
const paths = (JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } }).compilerOptions.paths;

/** The source file an entry point resolves to in this repository, as the typecheck resolves it. */
function entryFile(entry: string): string {
  const target = paths[entry]?.[0] ?? paths['cliniko-tradify/*']![0]!.replace('*', entry.replace('cliniko-tradify/', ''));
  return readFileSync(join(ROOT, target), 'utf8');
}

function exportsName(source: string, name: string): boolean {
  const listed = [...source.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)].some((m) => new RegExp(`(^|[\\s,])${name}(\\s|,|$)`).test(m[1]!));
  const declared = new RegExp(`export\\s+(?:declare\\s+)?(?:abstract\\s+)?(?:class|interface|type|function|const|enum)\\s+${name}\\b`).test(source);
  return listed || declared;
}

describe('docs/extending.md points only at what the package ships', () => {
  it('names no source or test path', () => {
    expect(page.match(/\b(?:src|test|dist)\/[\w./-]+/g) ?? []).toEqual([]);
  });

  it('links only to docs and examples of the repository', () => {
    const targets = [...page.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((t) => !/^[a-z]+:/i.test(t) && !t.startsWith('#'));
    expect(targets.length).toBeGreaterThan(5);
    expect(targets.filter((t) => !/^(?:[\w-]+\.md(?:#[\w-]+)?|\.\.\/examples\/[\w./-]+)$/.test(t))).toEqual([]);
  });

  it('every name in its import table is exported by the entry point named', () => {
    const rows = [...page.matchAll(/^\| `(cliniko-tradify[\w/-]*)` \| (.+) \|$/gm)];
    expect(rows.map((r) => r[1])).toEqual(['cliniko-tradify', 'cliniko-tradify/http', 'cliniko-tradify/testing']);
    const missing = rows.flatMap(([, entry, names]) => {
      const source = entryFile(entry!);
      return [...names!.matchAll(/`([A-Za-z]\w*)`/g)].map((m) => m[1]!).filter((name) => !exportsName(source, name)).map((name) => `${entry}: ${name}`);
    });
    expect(missing).toEqual([]);
  });
});
