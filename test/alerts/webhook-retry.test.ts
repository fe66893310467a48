import { describe, expect, it } from 'vitest';
import { WebhookAlerter, type Clock, AbortError, type Alert } from 'cliniko-tradify';

const alert: Alert = {
  kind: 'dead-letters',
  severity: 'warning',
  accountId: 'default',
  summary: '1 invoice dead-lettered (schema)',
  counts: { deadLettered: 1 },
  recordIds: ['1390730000000000001'],
  fingerprint: 'dead-letters:abc',
  runId: 'r1',
  at: '2026-07-01T00:00:00.000Z',
};

/** A fetch answering each POST with the next status; it counts the POSTs. */
function answering(...statuses: number[]): typeof fetch & { posts: number } {
  const stub = Object.assign(async () => new Response(null, { status: statuses[stub.posts++] ?? 200 }), { posts: 0 });
  return stub;
}

describe('WebhookAlerter delivery retry', () => {
  it('stops with the package AbortError when the signal fires during a backoff, posting nothing more', async () => {
    const controller = new AbortController();
    const clock: Clock = { now: () => 0, sleep: async () => controller.abort(new Error('shutting down')) };
    const fetch = answering(503, 503);
    const alerter = new WebhookAlerter({ url: 'https://hooks.example.test/x', retries: 3, fetch, clock, throwOnFailure: true });
    await expect(alerter.notify(alert, { signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
    expect(fetch.posts).toBe(1);
  });

  it('gives up after `retries` retries with the last failure, waiting the full-jitter backoff between tries', async () => {
    const slept: number[] = [];
    const clock: Clock = { now: () => 0, sleep: async (ms) => void slept.push(ms) };
    const fetch = answering(503, 503, 503, 200);
    const alerter = new WebhookAlerter({ url: 'https://hooks.example.test/x', retries: 2, retryDelayMs: 1_000, random: () => 0.5, fetch, clock, throwOnFailure: true });
    await expect(alerter.notify(alert)).rejects.toMatchObject({ code: 'server_error', message: 'Webhook alert delivery failed: HTTP 503 (after up to 3 attempts)' });
    expect(fetch.posts).toBe(3);
    expect(slept).toEqual([500, 1_000]);
  });
});
