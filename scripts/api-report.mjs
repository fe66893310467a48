// One API report per public entry point, from the built declarations (`npm run build` first).
//
//   node scripts/api-report.mjs check    fails when the public API differs from api/*.api.md
//   node scripts/api-report.mjs update   rewrites api/*.api.md
//
// The entry points are read from package.json "exports" (every entry with a "types" file), so
// a new subpath gets its report by being exported: nothing here needs to change. Paths are
// relative to the working directory, the package root under `npm run`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CompilerState, Extractor, ExtractorConfig, ExtractorLogLevel } from '@microsoft/api-extractor';

const root = process.cwd();
const reportFolder = join(root, 'api');
const generatedFolder = join(root, '.tmp', 'api');
const packageJsonPath = join(root, 'package.json');
const updateCommand = 'npm run build && npm run api:update';

/** "." → "index", "./testing/msw" → "testing-msw". */
function reportName(subpath) {
  return subpath === '.' ? 'index' : subpath.slice(2).replaceAll('/', '-');
}

function entryPoints() {
  const { exports } = JSON.parse(readFileSync(packageJsonPath, 'utf8'));
  return Object.entries(exports)
    .filter(([, target]) => typeof target === 'object' && typeof target.types === 'string')
    .map(([subpath, target]) => ({ subpath, name: reportName(subpath), dts: join(root, target.types) }));
}

// Release tags (@public, @beta...) are not used in this project: everything exported is public.
// A type that an export uses but the entry point does not export ("forgotten export") is listed
// as a warning comment in the report rather than failing the check; the 1.0 surface work decides
// for each whether to export it or to stop exposing it.
// Documentation (presence, TSDoc syntax, {@link} targets) is checked by typedoc (`npm run docs`),
// which resolves links across all entry points; API Extractor resolves them per entry point only.
const messages = {
  compilerMessageReporting: { default: { logLevel: 'error' } },
  extractorMessageReporting: {
    default: { logLevel: 'error' },
    'ae-missing-release-tag': { logLevel: 'none' },
    'ae-forgotten-export': { logLevel: 'none', addToApiReportFile: true },
    'ae-undocumented': { logLevel: 'none' },
    'ae-unresolved-link': { logLevel: 'none' },
  },
  tsdocMessageReporting: { default: { logLevel: 'none' } },
};

function configFor(entry, entries) {
  return ExtractorConfig.prepare({
    configObject: {
      projectFolder: root,
      mainEntryPointFilePath: entry.dts,
      newlineKind: 'lf',
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            target: 'ES2022',
            lib: ['ES2023'],
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            types: ['node'],
            strict: true,
            // msw's declarations need the DOM library; our own declarations come from tsc-checked source.
            skipLibCheck: true,
          },
          files: entries.map((e) => e.dts),
        },
      },
      // API Extractor only generates; this script compares (see normalise), so both folders are ours.
      apiReport: {
        enabled: true,
        reportFileName: entry.name,
        reportFolder: generatedFolder,
        reportTempFolder: generatedFolder,
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages,
    },
    configObjectFullPath: undefined,
    packageJsonFullPath: packageJsonPath,
  });
}

/** Silences API Extractor's own report bookkeeping and banner; this script reports instead. */
function quietBookkeeping(message) {
  if (/^console-(api-report|preamble)/.test(message.messageId)) {
    message.logLevel = ExtractorLogLevel.None;
    message.handled = true;
  }
}

const locatedWarning = /^\/\/ \S+:\d+:\d+ - (\(ae-[a-z-]+\) .*)$/;

/**
 * The closing warning list names each warning's place in the built `.d.ts` (a hashed chunk name,
 * a line number), which moves whenever unrelated code or a doc comment moves. Keep only the
 * message, once, sorted, so the report changes only when the API does.
 */
function normalise(report) {
  const lines = report.replaceAll('\r\n', '\n').split('\n');
  const warnings = new Set();
  const kept = [];
  for (const line of lines) {
    const match = locatedWarning.exec(line);
    if (match) warnings.add(`// ${match[1]}`);
    else kept.push(line);
  }
  const at = kept.indexOf('// Warnings were encountered during analysis:');
  if (at >= 0) kept.splice(at + 2, 0, ...[...warnings].sort());
  return kept.join('\n');
}

function generate(entries) {
  rmSync(generatedFolder, { recursive: true, force: true });
  mkdirSync(generatedFolder, { recursive: true });
  let compilerState;
  let errors = 0;
  for (const entry of entries) {
    const config = configFor(entry, entries);
    compilerState ??= CompilerState.create(config, { additionalEntryPoints: entries.map((e) => e.dts) });
    const result = Extractor.invoke(config, { localBuild: true, compilerState, messageCallback: quietBookkeeping });
    errors += result.errorCount;
  }
  return errors;
}

function printDiff(committed, generated) {
  spawnSync('git', ['--no-pager', 'diff', '--no-index', '--no-color', '--', committed, generated], {
    stdio: 'inherit',
    cwd: root,
  });
}

/** Compares (check) or writes (update) each report; returns the names that differed. */
function reconcile(entries, update) {
  const differing = [];
  for (const entry of entries) {
    const file = `${entry.name}.api.md`;
    const committedPath = join(reportFolder, file);
    const generatedPath = join(generatedFolder, file);
    const report = normalise(readFileSync(generatedPath, 'utf8'));
    writeFileSync(generatedPath, report);
    const committed = existsSync(committedPath) ? readFileSync(committedPath, 'utf8').replaceAll('\r\n', '\n') : undefined;
    const same = committed === report;
    if (!same) differing.push(entry.subpath);
    if (!same && update) writeFileSync(committedPath, report);
    const state = same ? 'unchanged' : update ? 'updated' : committed === undefined ? 'MISSING' : 'DIFFERS';
    console.log(`api-report: ${entry.subpath} → api/${file} ${state}`);
    if (!same && !update && committed !== undefined) printDiff(relative(root, committedPath), relative(root, generatedPath));
  }
  const expected = new Set(entries.map((e) => `${e.name}.api.md`));
  for (const file of readdirSync(reportFolder).filter((f) => f.endsWith('.api.md') && !expected.has(f))) {
    differing.push(file);
    if (update) rmSync(join(reportFolder, file));
    console.log(`api-report: api/${file} matches no entry point in package.json exports ${update ? '(removed)' : '(STALE)'}`);
  }
  return differing;
}

function run(mode) {
  const entries = entryPoints();
  const unbuilt = entries.filter((e) => !existsSync(e.dts));
  if (unbuilt.length > 0) {
    console.error(`api-report: no built declarations for ${unbuilt.map((e) => e.subpath).join(', ')}; run \`npm run build\` first.`);
    return 1;
  }
  if (generate(entries) > 0) {
    console.error('api-report: API Extractor reported errors on the built declarations (see above).');
    return 1;
  }
  mkdirSync(reportFolder, { recursive: true });
  const differing = reconcile(entries, mode === 'update');
  if (mode === 'check' && differing.length > 0) {
    console.error(
      `api-report: the public API differs from the committed report (${differing.join(', ')}).\n` +
        `If the change is intended, run \`${updateCommand}\` and commit api/ with it, so the change is reviewed.`,
    );
    return 1;
  }
  return 0;
}

const mode = process.argv[2];
if (mode !== 'check' && mode !== 'update') {
  console.error('usage: node scripts/api-report.mjs check|update');
  process.exit(2);
}
process.exit(run(mode));
