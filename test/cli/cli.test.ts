import { existsSync, statSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCliniko, startFakeTradify, type FakeCliniko, type FakeTradify } from 'cliniko-tradify/testing';
import { baseEnv, lines, runCli, startCli, tempDir, waitFor } from './helpers.js';

const NO_REDRAW = new RegExp(`\r|${String.fromCharCode(27)}\\[`);

function json<T = Record<string, unknown>>(stdout: string): T {
  return JSON.parse(stdout) as T;
}

describe('cliniko-tradify: configuration errors', () => {
  it('names a missing variable and its fix on one line, exit 2', async () => {
    const result = await runCli(['sync'], baseEnv({ CLINIKO_USER_AGENT: 'A (a@b.co)' }));
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain('CLINIKO_API_KEY is not set: export CLINIKO_API_KEY=');
    expect(result.stdout).toBe('');
  });

  it('refuses a config file holding a key, without printing it; --json gives the shape', async () => {
    const dir = tempDir();
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ cliniko: { apiKey: 'canary-key-9f8e7d' } }));
    const result = await runCli(['--json', '--config', file, 'status'], baseEnv());
    expect(result.code).toBe(2);
    expect(`${result.stdout}${result.stderr}`).not.toContain('canary-key-9f8e7d');
    const doc = json<{ command: string; exitCode: number; error: { code: string; setting: string } }>(result.stdout);
    expect(doc).toMatchObject({ command: 'status', exitCode: 2, error: { code: 'config_invalid', setting: 'cliniko.apiKey' } });
    expect(lines(result.stderr)).toHaveLength(1);
  });

  it('names a malformed Tradify URL by its variable', async () => {
    const env = baseEnv({ CLINIKO_API_KEY: 'k-au1', CLINIKO_USER_AGENT: 'A (a@b.co)', TRADIFY_API_KEY: 't', TRADIFY_BASE_URL: 'http://tradify.example/v1', CLINIKO_TRADIFY_DB: join(tempDir(), 's.db') });
    const result = await runCli(['sync', '--log-format', 'pretty'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^cliniko-tradify sync: TRADIFY_BASE_URL: .*https/);
    const json = await runCli(['sync'], env); // not a terminal: json by default
    expect(JSON.parse(json.stderr)).toMatchObject({ level: 'error', msg: expect.stringMatching(/^cliniko-tradify sync: TRADIFY_BASE_URL: .*https/), setting: 'TRADIFY_BASE_URL', exitCode: 2 });
  });

  it('exits 2 for an unknown option', async () => {
    const result = await runCli(['sync', '--bogus'], baseEnv());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--bogus'");
  });

  it('prints help with examples for every command, exit 0', async () => {
    const commands = [['sync'], ['plan'], ['apply'], ['reconcile'], ['dead-letters'], ['dead-letters', 'replay'], ['reviews'], ['reviews', 'resolve'], ['audit', 'export'], ['status'], ['schedule'], ['demo']];
    for (const command of commands) {
      const result = await runCli([...command, '--help'], baseEnv());
      expect(result.code, command.join(' ')).toBe(0);
      expect(result.stdout, command.join(' ')).toContain('Example');
    }
  }, 180_000);
});

describe('cliniko-tradify against the fakes', () => {
  let fc: FakeCliniko;
  let ft: FakeTradify;
  let env: Record<string, string>;
  let dir: string;

  beforeAll(async () => {
    fc = await startFakeCliniko({ patients: 60, invoices: 90, seed: 11, rateLimit: false });
    ft = await startFakeTradify({ seed: 11, rateLimit: false });
    keepOneDraft(fc);
    dir = tempDir();
    env = baseEnv({
      CLINIKO_API_KEY: fc.apiKey,
      CLINIKO_BASE_URL: fc.url,
      CLINIKO_USER_AGENT: 'CLI tests (tests@example.com)',
      TRADIFY_API_KEY: ft.apiKey,
      TRADIFY_BASE_URL: ft.url,
      CLINIKO_TRADIFY_DB: join(dir, 'state.db'),
      CLINIKO_REQUESTS_PER_MINUTE: '600000',
      TRADIFY_REQUESTS_PER_MINUTE: '600000',
    });
  });
  afterAll(async () => {
    await fc?.close();
    await ft?.close();
  });

  it('sync --json: one JSON document, no progress, exit 3 while reviews are open', async () => {
    const result = await runCli(['sync', '--json'], env);
    const doc = json<{ command: string; exitCode: number; summary: { created: number; read: { patients: number } }; open: { reviews: number; deadLetters: number } }>(result.stdout);
    expect(doc.command).toBe('sync');
    expect(doc.summary.read.patients).toBe(60);
    expect(doc.summary.created).toBeGreaterThan(60);
    const expected = doc.open.reviews + doc.open.deadLetters > 0 ? 3 : 0;
    expect(result.code).toBe(expected);
    expect(doc.exitCode).toBe(expected);
    expect(result.stderr).not.toContain('progress');
    const customers = ft.state.customers.all().filter((c) => c.externalReference?.startsWith('cliniko:patient:'));
    expect(customers.length).toBe(60);
  }, 120_000);

  it('a second sync writes nothing; plain progress lines without redraws when not a TTY', async () => {
    const before = ft.requests.filter((r) => r.method !== 'GET').length;
    const result = await runCli(['sync', '--progress', 'plain'], env);
    expect([0, 3]).toContain(result.code);
    expect(result.stdout).toContain('created 0, updated 0');
    expect(result.stderr).toContain('progress: patients');
    expect(result.stderr).not.toMatch(NO_REDRAW);
    expect(ft.requests.filter((r) => r.method !== 'GET').length).toBe(before);
  }, 120_000);

  it('status --json: cursors, last run, free lease, pending work and ETA', async () => {
    const result = await runCli(['status', '--json'], env);
    expect(result.code).toBe(0);
    const { status } = json<{ status: { cursors: Record<string, { updatedAt: string }>; lastRun: { kind: string; status: string }; lease: unknown; pending: { patients: number }; eta: { ms: number; bottleneck: string } } }>(result.stdout);
    expect(status.cursors.patients?.updatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(status.lastRun).toMatchObject({ kind: 'sync', status: 'succeeded' });
    expect(status.lease).toBeNull();
    expect(status.pending.patients).toBeLessThan(60);
    expect(['cliniko', 'tradify']).toContain(status.eta.bottleneck);
  }, 60_000);

  it('plan saves a dry run and apply applies it; edits made in between are picked up', async () => {
    const patient = fc.db.patients.all().find((p) => p.archived_at === null)!;
    fc.db.patients.update(patient.id, { city: 'Katoomba' });
    const planned = await runCli(['plan', '--json'], env);
    expect(planned.code).toBe(0);
    const { plan } = json<{ plan: { id: string; items: Array<{ clinikoId: string; action: string }> } }>(planned.stdout);
    expect(plan.items.some((i) => i.clinikoId === patient.id)).toBe(true);
    const linked = ft.state.customers.all().find((c) => c.externalReference === `cliniko:patient:${patient.id}`)!;
    expect(JSON.stringify(linked)).not.toContain('Katoomba');
    const applied = await runCli(['apply', plan.id, '--json'], env);
    expect([0, 3]).toContain(applied.code);
    expect(json<{ result: { applied: number } }>(applied.stdout).result.applied).toBeGreaterThan(0);
    expect(JSON.stringify(ft.state.customers.get(linked.id))).toContain('Katoomba');
  }, 120_000);

  it('apply of an unknown plan is a configuration error', async () => {
    const result = await runCli(['apply', 'no-such-plan'], env);
    expect(result.code).toBe(2);
  }, 60_000);

  it('reconcile with nothing to act on exits 0; what the engine explains is counted as known', async () => {
    // the draft the sync keeps (see keepOneDraft) differs from Cliniko by 0.03, for a reason the engine knows
    const result = await runCli(['reconcile', '--json'], env);
    const doc = json<{ exitCode: number; summary: { discrepancies: number; totalFindings: number; known: { total: number; rows: Array<{ label: string; count: number }> } }; discrepancies: unknown[] }>(result.stdout);
    expect(doc.summary.totalFindings).toBeGreaterThan(0); // there are differences, all of them explained
    expect(doc.summary.discrepancies).toBe(0);
    expect(doc.discrepancies).toEqual([]);
    expect(doc.summary.known.total).toBeGreaterThan(0);
    expect(doc.summary.known.rows).toContainEqual(expect.objectContaining({ label: 'Left as a draft: its lines\u2019 GST cannot be reproduced to the cent', count: 1 }));
    expect(result.code).toBe(0);
    expect(doc.exitCode).toBe(0);
    const plain = await runCli(['reconcile'], env);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain(': Everything matches (');
    expect(plain.stdout).toMatch(/ {2}known {6}.+ \d+/);
  }, 120_000);

  it('reconcile finds a planted mismatch, writes 0600 reports, exit 3', async () => {
    const invoice = ft.state.invoices.all().find((i) => i.externalReference?.startsWith('cliniko:invoice:') && i.status !== 'cancelled' && i.lineItems.length > 0)!;
    const stored = ft.state.invoices.stored(invoice.id)!;
    ft.state.invoices.tamper(invoice.id, { lineItems: [{ ...stored.lineItems[0]!, quantity: '97.00' }, ...stored.lineItems.slice(1)] });
    const out = join(dir, 'reports');
    const result = await runCli(['reconcile', '--out', out, '--format', 'html,md', '--json'], env);
    expect(result.code).toBe(3);
    const doc = json<{ summary: { totalFindings: number; discrepancies: number }; discrepancies: Array<{ clinikoId: string; findings: unknown[] }>; findings: unknown[]; files: string[] }>(result.stdout);
    expect(doc.summary.totalFindings).toBeGreaterThan(0);
    expect(JSON.stringify(doc.findings)).toContain(invoice.externalReference!.split(':')[2]);
    expect(doc.summary.discrepancies).toBe(1);
    expect(doc.discrepancies.map((d) => d.clinikoId)).toEqual([invoice.externalReference!.split(':')[2]]);
    expect(doc.files.map((f) => extname(f))).toEqual(['.html', '.md']);
    for (const file of doc.files) expect(statSync(file).mode & 0o777).toBe(0o600);
  }, 120_000);

  it('reconcile rejects an unknown format with exit 2', async () => {
    const result = await runCli(['reconcile', '--format', 'pdf'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--format 'pdf'");
  }, 60_000);

  it('reviews list and resolve; dead-letters list; audit export', async () => {
    const listed = await runCli(['reviews', 'list', '--json'], env);
    expect(listed.code).toBe(0);
    const { reviews } = json<{ reviews: Array<{ id: string; status: string }> }>(listed.stdout);
    expect(reviews.length).toBeGreaterThan(0);
    const resolved = await runCli(['reviews', 'resolve', reviews[0]!.id, 'dismiss', '--json'], env);
    expect([0, 3]).toContain(resolved.code);
    expect(json<{ review: { status: string; resolution: string } }>(resolved.stdout).review).toMatchObject({ status: 'resolved', resolution: 'dismiss' });
    const after = json<{ reviews: unknown[] }>((await runCli(['reviews', 'list', '--json'], env)).stdout);
    expect(after.reviews.length).toBe(reviews.length - 1);

    const letters = await runCli(['dead-letters', 'list', '--json'], env);
    expect(letters.code).toBe(0);
    expect(Array.isArray(json<{ deadLetters: unknown[] }>(letters.stdout).deadLetters)).toBe(true);
    const discard = await runCli(['dead-letters', 'discard', 'nope'], env);
    expect(discard.code).toBe(2);

    const csv = await runCli(['audit', 'export'], env);
    expect(csv.code).toBe(0);
    const [header, ...rows] = lines(csv.stdout);
    expect(header).toBe('id,at,runId,stream,action,clinikoId,tradifyId,clinikoCreatedAt,clinikoUpdatedAt,tradifyUpdatedAt,changedFields,requestId,reasonCode');
    expect(rows.length).toBeGreaterThan(60);
    const file = join(dir, 'audit.json');
    const saved = await runCli(['audit', 'export', '--format', 'json', '--out', file], env);
    expect(saved.code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  }, 120_000);

  it('schedule runs a sync on its pattern and stops on SIGTERM with exit 0', async () => {
    const run = startCli(['schedule', '--sync', '* * * * * *', '--reconcile', 'off'], env);
    await waitFor(() => /sync (completed|partial)/.test(run.stderrText()), 60_000, 'a scheduled sync');
    run.child.kill('SIGTERM');
    const result = await run.done;
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/scheduler stopped after \d+ tick/);
  }, 90_000);
});

describe('cliniko-tradify sync: Ctrl-C', () => {
  it('stops after the current page, keeps the checkpoint (exit 130), and the next run finishes without duplicates', async () => {
    const fc = await startFakeCliniko({ patients: 400, invoices: 10, seed: 5, rateLimit: false });
    const ft = await startFakeTradify({ seed: 5, rateLimit: false, latencyMs: 15 });
    try {
      const env = baseEnv({
        CLINIKO_API_KEY: fc.apiKey,
        CLINIKO_BASE_URL: fc.url,
        CLINIKO_USER_AGENT: 'CLI tests (tests@example.com)',
        TRADIFY_API_KEY: ft.apiKey,
        TRADIFY_BASE_URL: ft.url,
        CLINIKO_TRADIFY_DB: join(tempDir(), 'state.db'),
        CLINIKO_REQUESTS_PER_MINUTE: '600000',
        TRADIFY_REQUESTS_PER_MINUTE: '600000',
      });
      const run = startCli(['sync', '--progress', 'plain'], env);
      const linked = (): number => ft.state.customers.all().filter((c) => c.externalReference?.startsWith('cliniko:patient:')).length;
      await waitFor(() => linked() >= 120, 90_000, 'the first page to be written');
      run.child.kill('SIGINT');
      const stopped = await run.done;
      expect(stopped.code).toBe(130);
      expect(stopped.stderr).toContain('checkpoint');
      expect(linked()).toBeLessThan(400);

      const status = json<{ status: { cursors: Record<string, unknown>; lease: unknown } }>((await runCli(['status', '--json'], env)).stdout);
      expect(status.status.cursors.patients).toBeDefined();
      expect(status.status.lease).toBeNull();

      const resumed = await runCli(['sync', '--json'], env);
      expect([0, 3]).toContain(resumed.code);
      const refs = ft.state.customers.all().map((c) => c.externalReference).filter((r) => r?.startsWith('cliniko:patient:'));
      expect(refs.length).toBe(400);
      expect(new Set(refs).size).toBe(400);
    } finally {
      await fc.close();
      await ft.close();
    }
  }, 180_000);
});

describe('cliniko-tradify demo', () => {
  it('walks through sync, edits, incremental sync and reconciliation, finding the planted mismatch', async () => {
    const dir = tempDir();
    const result = await runCli(['demo', '--patients', '40', '--invoices', '60', '--dir', dir, '--json'], baseEnv());
    expect(result.code).toBe(0);
    const { result: demo } = json<{ result: { plantedFound: boolean; discrepancies: number; plantedFields: string[]; findings: number; known: { total: number; byReason: Record<string, number> }; reportPath: string; incremental: { updated: number } } }>(result.stdout);
    expect(demo.plantedFound).toBe(true);
    // the planted invoice is the one record that needs action, its fields grouped under it
    expect(demo.discrepancies).toBe(1);
    expect(demo.plantedFields).toEqual(expect.arrayContaining(['total', 'line-total']));
    // the fake data's oddities are known items, counted by reason
    expect(demo.known.byReason['in-review']).toBeGreaterThan(0);
    expect(Object.values(demo.known.byReason).reduce((a, b) => a + b, 0)).toBe(demo.known.total);
    expect(demo.incremental.updated).toBeGreaterThan(0);
    expect(existsSync(demo.reportPath)).toBe(true);
  }, 120_000);
});

/**
 * Raises one live Open invoice's first line by 3 cents in Cliniko, before the first sync: no
 * quantity, price and rate reproduce it, so the sync keeps that invoice a draft on purpose.
 */
function keepOneDraft(cliniko: FakeCliniko): void {
  const liveItems = (id: string) => cliniko.db.invoiceItems.all().filter((i) => i.invoice_id === id && i.deleted_at === null && i.archived_at === null);
  const invoice = cliniko.db.invoices.all().find((i) => i.status === 10 && i.deleted_at === null && i.archived_at === null && liveItems(i.id).length > 0)!;
  const item = liveItems(invoice.id)[0]!;
  const total = Number(item.total_including_tax) + 0.03;
  cliniko.db.invoiceItems.update(item.id, { total_including_tax: typeof item.total_including_tax === 'number' ? total : total.toFixed(2) });
  cliniko.db.invoices.recalculate(invoice.id);
}
