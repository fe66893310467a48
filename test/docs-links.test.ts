/**
 * The repository's documentation links hold: every `docs/<page>.md#<anchor>` cited in code,
 * tests and docs names a page and a heading that exist, every relative Markdown link in the
 * docs resolves, and nothing cites a design or reference document that lives outside the repo.
 * Reads files only (no build, no network), so it runs in well under a second.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SELF = relative(ROOT, fileURLToPath(import.meta.url));
const SCANNED_DIRS = ['src', 'test', 'bench', 'examples', 'scripts', 'docs', '.ci'];
const SCANNED_FILES = ['README.md', 'DEVELOPERS.md', 'CHANGELOG.md'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'api', 'results', '.build', 'fixtures']);
const TEXT_FILE = /\.(ts|mts|js|mjs|md|sh)$|^run$/;

/** The anchor GitHub gives a heading: lower-cased, punctuation dropped, each space a hyphen. */
function headingSlug(heading: string): string {
  return heading
    .replace(/`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor of a Markdown text, duplicates numbered as GitHub does (`x`, `x-1`, …). */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const match = fenced ? null : /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (!match) continue;
    const slug = headingSlug(match[1]!);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** `docs/<page>.md` or `docs/<page>.md#<anchor>` citations in any text. */
function docCitations(text: string): Array<{ page: string; anchor: string | undefined }> {
  return [...text.matchAll(/\bdocs\/([\w-]+\.md)(?:#([\p{L}\p{N}_-]+))?/gu)].map((m) => ({ page: m[1]!, anchor: m[2] }));
}

/** Relative Markdown link targets (`[text](target)`), outside code fences and code spans. */
function markdownLinks(markdown: string): string[] {
  const out: string[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    for (const m of line.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (!/^[a-z]+:/i.test(target)) out.push(target);
    }
  }
  return out;
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return SKIPPED_DIRS.has(name) ? [] : listFiles(path);
    return TEXT_FILE.test(name) ? [path] : [];
  });
}

const files = [...SCANNED_DIRS.flatMap((d) => listFiles(join(ROOT, d))), ...SCANNED_FILES.map((f) => join(ROOT, f))]
  .map((path) => relative(ROOT, path))
  .filter((path) => path !== SELF);
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const anchorCache = new Map<string, Set<string>>();
const anchorsOfFile = (path: string): Set<string> => {
  if (!anchorCache.has(path)) anchorCache.set(path, anchorsOf(read(path)));
  return anchorCache.get(path)!;
};

/** What is wrong with a link to `target` (a repo-relative path, maybe with `#anchor`), or `undefined`. */
function brokenLink(target: string): string | undefined {
  const [path = '', anchor] = target.split('#');
  if (!existsSync(join(ROOT, path))) return 'no such file';
  if (anchor === undefined || anchor === '') return undefined;
  if (!path.endsWith('.md')) return undefined;
  return anchorsOfFile(path).has(anchor) ? undefined : `no heading with anchor #${anchor}`;
}

describe('the link checker itself', () => {
  it('slugs headings as GitHub does', () => {
    expect(headingSlug('Exact decimals')).toBe('exact-decimals');
    expect(headingSlug("How an invoice's lines are mapped")).toBe('how-an-invoices-lines-are-mapped');
    expect(headingSlug('The one HTTP retry layer (`RETRY_DEFAULTS`, `src/core/retry.ts`)')).toBe('the-one-http-retry-layer-retry_defaults-srccoreretryts');
    expect(headingSlug('Status → class')).toBe('status--class');
  });

  it('finds anchors outside code fences only, numbering duplicates', () => {
    const anchors = anchorsOf('# Title\n## Same\n```\n## Not a heading\n```\n## Same\n');
    expect([...anchors]).toEqual(['title', 'same', 'same-1']);
  });

  it('reports a citation of a missing page or heading', () => {
    expect(docCitations('see `docs/architecture.md#keyset-windows` and docs/nowhere.md')).toEqual([
      { page: 'architecture.md', anchor: 'keyset-windows' },
      { page: 'nowhere.md', anchor: undefined },
    ]);
    expect(brokenLink('docs/architecture.md#keyset-windows')).toBeUndefined();
    expect(brokenLink('docs/architecture.md#no-such-heading')).toBe('no heading with anchor #no-such-heading');
    expect(brokenLink('docs/nowhere.md')).toBe('no such file');
  });

  it('reads relative Markdown links, not URLs or code', () => {
    expect(markdownLinks('[a](x.md#y) [b](https://example.com) `[c](z.md)`\n```\n[d](w.md)\n```')).toEqual(['x.md#y']);
  });
});

describe('documentation links', () => {
  it('scans the code, the tests and the docs', () => {
    expect(files).toContain('docs/architecture.md');
    expect(files).toContain(join('src', 'sync', 'engine.ts'));
    expect(files.length).toBeGreaterThan(100);
  });

  it('every docs/<page>.md#<anchor> cited anywhere resolves', () => {
    const broken = files.flatMap((file) =>
      docCitations(read(file)).flatMap(({ page, anchor }) => {
        const problem = brokenLink(`docs/${page}${anchor === undefined ? '' : `#${anchor}`}`);
        return problem ? [`${file}: docs/${page}${anchor ? `#${anchor}` : ''} (${problem})`] : [];
      }),
    );
    expect(broken).toEqual([]);
  });

  it('every relative link in the Markdown docs resolves', () => {
    const broken = files
      .filter((file) => file.endsWith('.md'))
      .flatMap((file) =>
        markdownLinks(read(file)).flatMap((target) => {
          const [path, anchor] = target.split('#');
          const resolved = path ? relative(ROOT, join(ROOT, dirname(file), path)) : file;
          const problem = brokenLink(anchor === undefined ? resolved : `${resolved}#${anchor}`);
          return problem ? [`${file}: ${target} (${problem})`] : [];
        }),
      );
    expect(broken).toEqual([]);
  });

  it('nothing cites a design or reference document that is not in the repository', () => {
    const outside = /DESIGN(\.md)?\s*§|\b(cliniko-api|tradify-api|sync-engines|library-style)\.md\b|\.\.\/shared\/|§\s?\d/;
    const citing = files.flatMap((file) =>
      read(file)
        .split('\n')
        .flatMap((line, i) => (outside.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(citing).toEqual([]);
  });

  it('the architecture page has the sections code links to', () => {
    const anchors = anchorsOfFile('docs/architecture.md');
    for (const anchor of ['layers', 'the-dependency-rule', 'one-sync-run', 'ports', 'statestore', 'tradifyport', 'exact-decimals', 'one-retry-layer', 'keyset-windows', 'fenced-leases', 'idempotency-keys', 'approval-policy']) {
      expect(anchors, anchor).toContain(anchor);
    }
  });
});
