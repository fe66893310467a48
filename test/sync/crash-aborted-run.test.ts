/**
 * A run whose process is SIGKILLed does not stay `running`: the next run, taking the dead
 * holder's lease over, ends it as `aborted` with when and why, and `status`-style reads see it ended.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeCliniko, startFakeTradify } from 'cliniko-tradify/testing';
import { ClinikoClient, HttpTradifyClient, SyncEngine, silentLogger } from 'cliniko-tradify';
import { SqliteStateStore } from 'cliniko-tradify/sqlite';

const CHILD = fileURLToPath(new URL('./crash/child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ct-crash-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runChild(args: string[]): Promise<NodeJS.Signals | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { cwd: ROOT, stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve(signal));
  });
}

describe('a sync process SIGKILLed mid-run', () => {
  it('leaves a run that the next run ends as aborted (holder-died), and the next run succeeds', async () => {
    const fc = await startFakeCliniko({ patients: 4, invoices: 4, seed: 5, rateLimit: false });
    const ft = await startFakeTradify({ seed: 5, rateLimit: false });
    const db = join(dir, 'state.db');
    try {
      expect(await runChild([fc.url, fc.apiKey, ft.url, ft.apiKey, db, '2:after'])).toBe('SIGKILL');
      const store = new SqliteStateStore({ path: db });
      try {
        const [dead] = (await store.runs.list('default', { status: 'running' })).items;
        expect(dead?.kind).toBe('sync');
        const cliniko = new ClinikoClient({ apiKey: fc.apiKey, userAgent: 'Crash test (crash@example.com)', baseUrl: fc.url, requestsPerMinute: 600_000, logger: silentLogger });
        const tradify = new HttpTradifyClient({ apiKey: ft.apiKey, baseUrl: ft.url, requestsPerMinute: 600_000, logger: silentLogger });
        const engine = new SyncEngine({ cliniko, tradify, store, logger: silentLogger, alerter: { notify: async () => undefined }, mapping: { approval: { when: 'immediately' } } });
        const resumed = await engine.run();
        expect(resumed.outcome).toBe('completed');
        const ended = await store.runs.get('default', dead!.id);
        expect(ended).toMatchObject({ status: 'aborted', endReason: 'holder-died' });
        expect(ended!.finishedAt).toBeGreaterThanOrEqual(ended!.startedAt);
        expect((await store.runs.list('default', { status: 'running' })).items).toHaveLength(0);
        expect((await store.runs.last('default'))?.status).toBe('succeeded');
      } finally {
        await store.close();
      }
    } finally {
      await Promise.all([fc.close(), ft.close()]);
    }
  }, 120_000);
});
