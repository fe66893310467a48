import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, baseEnv } from '../cli/helpers.js';

function runExample(file: string, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'examples', file)], { cwd: ROOT, env: baseEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('examples run against the fakes and exit 0', () => {
  it('quick-start.ts syncs and prints the counts', async () => {
    const r = await runExample('quick-start.ts');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/patients \d+ → cus_\w+ \(created\)/);
    expect(r.stdout).toMatch(/created [1-9]\d*/);
  }, 120_000);

  it('custom-mapping.ts applies its filters and callbacks', async () => {
    const r = await runExample('custom-mapping.ts');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/created [1-9]\d*, skipped \d+/);
  }, 120_000);

  it('custom-state-store.ts reopens its JSON file with the cursor intact', async () => {
    const r = await runExample('custom-state-store.ts');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('patients cursor 2026-01-15T00:00:00Z / 1390710863102485699');
  }, 60_000);

  it('reconcile-on-schedule.ts runs a sync and a reconciliation, writing reports', async () => {
    const r = await runExample('reconcile-on-schedule.ts');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('sync: completed');
    expect(r.stdout).toMatch(/reconciliation: \d+ finding\(s\) → .*\.html, .*\.csv/);
    expect(r.stdout).toContain('reconcile: completed');
  }, 120_000);

  it('embed-http-endpoint.ts answers 202, then 409 while running, then the summary', async () => {
    const r = await runExample('embed-http-endpoint.ts');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('POST → 202, POST again while running → 409');
    expect(r.stdout).toMatch(/GET → \{"running":false,"last":\{"at":"[^"]+","created":[1-9]/);
  }, 120_000);

  it('demo.ts (npm run demo) completes its walk-through at a small size', async () => {
    const r = await runExample('demo.ts', { DEMO_PATIENTS: '40', DEMO_INVOICES: '60' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('the planted mismatch IS among them');
    expect(r.stdout).toMatch(/HTML report: .*\.html/);
    expect(r.stdout).toMatch(/at the real limits \(Cliniko 200\/min, Tradify 100\/min\)/);
  }, 120_000);
});
