import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallbackAlerter, ConsoleAlerter, WebhookAlerter, type Clock, type LogFields, type Logger, type Alert } from 'cliniko-tradify';

const SECRET_PATH = '/hooks/T000/B000/secret-token-canary';

function alert(overrides: Partial<Alert> = {}): Alert {
  return {
    kind: 'dead-letters',
    severity: 'warning',
    accountId: 'default',
    summary: '2 invoices dead-lettered (schema)',
    counts: { deadLettered: 2 },
    recordIds: ['1390730000000000001', '1390730000000000002'],
    fingerprint: 'dead-letters:abc',
    runId: 'r1',
    at: '2026-07-01T00:00:00.000Z',
    ...overrides,
  };
}

/** A clock whose sleeps return at once and are recorded. */
function instantClock(): Clock & { slept: number[] } {
  const slept: number[] = [];
  return { slept, now: () => 0, sleep: async (ms) => void slept.push(ms) };
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string, fields?: LogFields) => void lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

describe('ConsoleAlerter', () => {
  it('writes one line with kind, counts and ids', async () => {
    const lines: string[] = [];
    await new ConsoleAlerter({ write: (line) => void lines.push(line) }).notify(alert());
    expect(lines).toEqual(['[cliniko-tradify] alert [warning] dead-letters (account default): 2 invoices dead-lettered (schema) | deadLettered=2 | ids: 1390730000000000001,1390730000000000002']);
  });

  it('caps the ids shown', async () => {
    const lines: string[] = [];
    const ids = Array.from({ length: 15 }, (_, i) => String(i + 1));
    await new ConsoleAlerter({ write: (line) => void lines.push(line) }).notify(alert({ recordIds: ids }));
    expect(lines[0]).toContain('ids: 1,2,3,4,5,6,7,8,9,10 +5 more');
  });
});

describe('CallbackAlerter', () => {
  it('passes the alert and the signal, and logs (not throws) a failing callback', async () => {
    const seen: Alert[] = [];
    const controller = new AbortController();
    let signal: AbortSignal | undefined;
    await new CallbackAlerter((a, o) => {
      seen.push(a);
      signal = o.signal;
    }).notify(alert(), { signal: controller.signal });
    expect(seen).toEqual([alert()]);
    expect(signal).toBe(controller.signal);

    const logger = recordingLogger();
    await new CallbackAlerter(() => {
      throw new TypeError('boom with patient jane@example.com');
    }, { logger }).notify(alert());
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toContain('"error":"TypeError"');
    expect(logger.lines[0]).not.toContain('jane@example.com');
  });

  it('re-throws with throwOnFailure', async () => {
    const alerter = new CallbackAlerter(() => Promise.reject(new Error('down')), { throwOnFailure: true });
    await expect(alerter.notify(alert())).rejects.toThrow('down');
  });
});

describe('WebhookAlerter against a local server', () => {
  let server: Server;
  let url: string;
  let bodies: unknown[];
  let statuses: number[];
  let hang = false;

  beforeEach(async () => {
    bodies = [];
    statuses = [];
    hang = false;
    server = createServer((req: IncomingMessage, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      req.on('end', () => {
        bodies.push({ path: req.url, contentType: req.headers['content-type'], auth: req.headers['authorization'], body: JSON.parse(raw) });
        if (hang) return; // never answer
        const status = statuses.shift() ?? 200;
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${SECRET_PATH}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('POSTs the alert as JSON with extra headers', async () => {
    await new WebhookAlerter({ url, headers: { authorization: 'Bearer hook-key' } }).notify(alert());
    expect(bodies).toEqual([{ path: SECRET_PATH, contentType: 'application/json', auth: 'Bearer hook-key', body: { type: 'cliniko-tradify.alert', alert: alert() } }]);
  });

  it('sends a Slack-compatible body', async () => {
    await new WebhookAlerter({ url, format: 'slack' }).notify(alert());
    const body = (bodies[0] as { body: { text: string; blocks: Array<{ type: string; text: { type: string; text: string } }> } }).body;
    expect(body.text).toContain('dead-letters (account default): 2 invoices dead-lettered');
    expect(body.blocks[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn' } });
    expect(body.blocks[0]!.text.text).toContain('ids: 1390730000000000001');
  });

  it('retries 5xx and 429 with growing backoff, then succeeds', async () => {
    statuses = [500, 429, 200];
    const clock = instantClock();
    await new WebhookAlerter({ url, retries: 3, retryDelayMs: 100, clock, random: () => 0.999 }).notify(alert());
    expect(bodies).toHaveLength(3);
    expect(clock.slept).toEqual([99, 199]);
  });

  it('does not retry a 4xx; the failure is logged without the URL', async () => {
    statuses = [400];
    const logger = recordingLogger();
    await new WebhookAlerter({ url, retries: 3, clock: instantClock(), logger }).notify(alert());
    expect(bodies).toHaveLength(1);
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toContain('HTTP 400');
    expect(logger.lines.join('\n')).not.toContain('secret-token-canary');
  });

  it('times out a silent server, retries, and throws (with throwOnFailure) an error that never names the URL', async () => {
    hang = true;
    const alerter = new WebhookAlerter({ url, retries: 2, timeoutMs: 100, clock: instantClock(), throwOnFailure: true });
    const error = await alerter.notify(alert()).catch((e: unknown) => e);
    expect(bodies).toHaveLength(3);
    expect(error).toMatchObject({ code: 'timeout' });
    for (const text of [String(error), inspect(error, { depth: 5 }), JSON.stringify(error), inspect(alerter), JSON.stringify(alerter)]) {
      expect(text).not.toContain('secret-token-canary');
      expect(text).not.toContain('127.0.0.1');
    }
  });

  it('reports an unreachable webhook as connection_failed without the URL', async () => {
    const port = (server.address() as AddressInfo).port;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const alerter = new WebhookAlerter({ url: `http://127.0.0.1:${port}${SECRET_PATH}`, retries: 1, clock: instantClock(), throwOnFailure: true });
    const error = await alerter.notify(alert()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'connection_failed' });
    expect(inspect(error)).not.toContain('secret-token-canary');
    server = createServer().listen(0); // for afterEach
  });

  it('refuses a non-https URL off loopback, without echoing it', () => {
    const attempt = () => new WebhookAlerter({ url: 'http://hooks.example.com/secret-token-canary' });
    expect(attempt).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    try {
      attempt();
    } catch (e) {
      expect(String(e)).not.toContain('secret-token-canary');
    }
  });
});
