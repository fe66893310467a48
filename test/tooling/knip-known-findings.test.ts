/**
 * The knip preprocessor behind `npm run knip`: the findings listed in knip.jsonc are dropped
 * (and no longer counted towards the exit code), every other finding stays and fails the run,
 * and a listed finding that knip no longer reports is named so the list can shrink.
 */
import type { Issue, ReporterOptions } from 'knip';
import { afterEach, describe, expect, it, vi } from 'vitest';
import dropKnownFindings, { type KnownFindings } from '../../scripts/knip-known-findings.js';

function issue(type: Issue['type'], filePath: string, symbol: string): Issue {
  return { type, filePath, workspace: '.', symbol, fixes: [] };
}

/** Results as knip hands them to a preprocessor: issues by type, then file, then name. */
function results(knownFindings: KnownFindings | undefined): ReporterOptions {
  const options = {
    issues: {
      dependencies: { 'package.json': { 'p-retry': issue('dependencies', 'package.json', 'p-retry') } },
      exports: {
        'src/a.ts': { known: issue('exports', 'src/a.ts', 'known'), fresh: issue('exports', 'src/a.ts', 'fresh') },
        'src/b.ts': { alsoKnown: issue('exports', 'src/b.ts', 'alsoKnown') },
      },
      types: {},
    },
    counters: { dependencies: 1, exports: 3, types: 0 },
    preprocessorOptions: knownFindings ? JSON.stringify({ knownFindings }) : '',
  };
  return options as unknown as ReporterOptions;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('dropKnownFindings', () => {
  it('drops the listed findings and uncounts them, keeping every other finding counted', () => {
    const out = dropKnownFindings(
      results({ dependencies: { 'package.json': ['p-retry'] }, exports: { 'src/a.ts': ['known'], 'src/b.ts': ['alsoKnown'] } }),
    );
    expect(out.issues.dependencies).toEqual({});
    expect(Object.keys(out.issues.exports)).toEqual(['src/a.ts']);
    expect(Object.keys(out.issues.exports['src/a.ts']!)).toEqual(['fresh']);
    expect(out.counters.dependencies).toBe(0);
    expect(out.counters.exports).toBe(1);
  });

  it('matches a finding by type, file and name together', () => {
    const out = dropKnownFindings(results({ types: { 'src/a.ts': ['known'] }, exports: { 'src/b.ts': ['known'] } }));
    expect(Object.keys(out.issues.exports['src/a.ts']!)).toEqual(['known', 'fresh']);
    expect(out.counters.exports).toBe(3);
  });

  it('names each listed finding that knip no longer reports', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    dropKnownFindings(results({ exports: { 'src/a.ts': ['known', 'removedSince'], 'src/gone.ts': ['x'] } }));
    expect(warn).toHaveBeenCalledTimes(1);
    const message = String(warn.mock.calls[0]![0]);
    expect(message).toContain('2 known finding(s) no longer occur');
    expect(message).toContain('exports: src/a.ts removedSince');
    expect(message).toContain('exports: src/gone.ts x');
    expect(message).not.toContain('src/a.ts known');
  });

  it('changes nothing without a list', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const out = dropKnownFindings(results(undefined));
    expect(out.counters).toEqual({ dependencies: 1, exports: 3, types: 0 });
    expect(Object.keys(out.issues.exports['src/a.ts']!)).toEqual(['known', 'fresh']);
    expect(warn).not.toHaveBeenCalled();
  });
});
