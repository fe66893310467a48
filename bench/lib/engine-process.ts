/**
 * Builds {@link ./sync-engine-child.ts} to plain JavaScript (tsup, the package's own bundler)
 * under `bench/.build/` and runs it in a child process with no TypeScript loader, so the RSS
 * measured is the engine's as an application runs it. (The tsx loader alone adds about 50 MB.)
 *
 * @module
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import type { EngineJob, EngineRunResult } from './sync-engine-child.js';

const OUT_DIR = fileURLToPath(new URL('../.build/', import.meta.url));

/** Bundles the engine child (a few seconds); returns the script's path. */
export async function buildEngineChild(): Promise<string> {
  await build({
    entry: { 'sync-engine-child': fileURLToPath(new URL('./sync-engine-child.ts', import.meta.url)) },
    outDir: OUT_DIR,
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    dts: false,
    sourcemap: false,
    clean: true,
    silent: true,
    config: false,
    external: ['better-sqlite3'],
  });
  return `${OUT_DIR}sync-engine-child.js`;
}

/**
 * Runs the engine child on a job and collects one result per run; `afterRun` runs between
 * runs (to read the fakes' counters) before the child starts the next one.
 *
 * @param nodeFlags - V8/Node flags for the child (e.g. `--expose-gc`).
 */
export function runEngineChild(
  script: string,
  job: EngineJob,
  afterRun: (result: EngineRunResult) => Promise<void>,
  nodeFlags: readonly string[] = [],
): Promise<EngineRunResult[]> {
  return new Promise((resolve, reject) => {
    const results: EngineRunResult[] = [];
    const child = fork(script, [JSON.stringify(job)], { execArgv: [...nodeFlags], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.on('message', (m: EngineRunResult) => {
      results.push(m);
      void afterRun(m).then(
        () => child.connected && child.send({ type: 'next' }),
        (error: unknown) => (child.kill(), reject(error as Error)),
      );
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 && results.length === job.runs ? resolve(results) : reject(new Error(`engine child exited (${code}) after ${results.length} of ${job.runs} runs`))));
  });
}
