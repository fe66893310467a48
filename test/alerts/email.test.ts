/**
 * The email alerter against a real SMTP server started here, with its own CA (certificate
 * checks stay on; the test CA is trusted through the `ca` option): an outage alert arrives
 * once, and again after a failed delivery recovers; encryption and certificates are never
 * optional; the password never leaks.
 */
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { EmailAlerter, emailAlertMessage, type EmailAlerterOptions } from 'cliniko-tradify/email';
import { isClinikoTradifyError, isConfigError } from '../../src/core/errors.js';
import type { Alert, AlertIncident } from '../../src/sync/ports.js';
import { startHarness, type Harness } from '../sync/helpers.js';
import { createTestCa } from './test-ca.js';
import { SMTP_PASSWORD, SMTP_USER, startSmtp, type LoopbackSmtp } from './smtp-server.js';
import { alertProblems, instantClock } from './webhook-server.js';

const QUICK_RETRIES = { retryPolicy: { decide: ({ attempt }: { attempt: number }) => ({ retry: attempt < 2, delayMs: 10, reason: 'test' }) } };
const ca = createTestCa();

let smtp: LoopbackSmtp | undefined;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  await smtp?.close();
  h = smtp = undefined;
});

function alerterFor(server: LoopbackSmtp, extra: Partial<EmailAlerterOptions> = {}): EmailAlerter {
  return new EmailAlerter({
    host: '127.0.0.1',
    port: server.port,
    user: SMTP_USER,
    password: SMTP_PASSWORD,
    from: 'Cliniko sync <alerts@clinic.example>',
    to: ['manager@clinic.example', 'books@clinic.example'],
    ca: ca.certPem,
    retries: 0,
    clock: instantClock,
    timeoutMs: 5000,
    ...extra,
  });
}

const alert: Alert = {
  kind: 'dead-letters',
  severity: 'warning',
  accountId: 'clinic-42',
  summary: '3 dead-letters problems in this run (schema: 2, unprocessable: 1)',
  counts: { total: 3, schema: 2, unprocessable: 1 },
  recordIds: ['1001', '1002', '1003'],
  fingerprint: 'dead-letters:abc',
  runId: 'run_1',
  at: '2026-07-01T03:00:00.000Z',
};

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

const outageEmails = (server: LoopbackSmtp) => server.accepted.filter((m) => m.subject?.includes('Tradify could not be reached'));

async function outageIncident(harness: Harness): Promise<AlertIncident | undefined> {
  return (await harness.store.incidents.list('default')).find((i) => i.fingerprint.startsWith('outage:') && i.state === 'open');
}

describe('an outage alert by email', () => {
  it('arrives once; a later outage whose delivery failed arrives once the server accepts again', async () => {
    smtp = await startSmtp({ ca });
    h = await startHarness({ engine: { ...QUICK_RETRIES, alerter: alerterFor(smtp) } });
    h.ft.faults.set({ down: true });

    expect((await h.engine.run()).stoppedBecause).toBe('target-down');
    await h.engine.run();
    expect(outageEmails(smtp)).toHaveLength(1);
    const [first] = outageEmails(smtp);
    expect(first!.subject).toBe('Urgent: Tradify could not be reached, so the sync paused (Cliniko sync, account default)');
    expect(first!.text).toContain('What to do next');
    expect(first!.text).toContain('cliniko-tradify status');
    expect(first!.to).toMatchObject({ text: 'manager@clinic.example, books@clinic.example' });
    expect(first!.headers.get('auto-submitted')).toBe('auto-generated');
    expect(smtp.loginsOverTls.every(Boolean)).toBe(true);

    h.ft.faults.set({ down: false });
    expect((await h.engine.run()).outcome).toBe('completed'); // the outage is over: its incident resolves

    smtp.reject = 451;
    h.ft.faults.set({ down: true });
    await h.engine.run();
    await h.engine.run();
    expect(outageEmails(smtp)).toHaveLength(1);
    expect(await outageIncident(h)).toMatchObject({ lastAlertedAt: undefined, deliveries: { email: { status: 'failed', errorCode: 'server_error', failures: 2 } } });

    smtp.reject = undefined;
    await h.engine.run();
    await h.engine.run();
    expect(outageEmails(smtp)).toHaveLength(2);
    expect(await outageIncident(h)).toMatchObject({ deliveries: { email: { status: 'delivered', failures: 0 } } });

    const problems = alertProblems(h.logger);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/"kind":"outage".*"destination":"email".*"code":"server_error"/);
    expect(h.logger.lines.join('\n')).not.toContain(SMTP_PASSWORD);
  });
});

describe('EmailAlerter delivery', () => {
  it('speaks implicit TLS (port 465 style) and sends a message a person can act on', async () => {
    smtp = await startSmtp({ ca, mode: 'implicit' });
    await alerterFor(smtp, { tls: 'implicit', throwOnFailure: true }).notify(alert);
    const [mail] = smtp.accepted;
    expect(mail!.subject).toBe('Action needed: 3 records could not be copied to Tradify (Cliniko sync, account clinic-42)');
    expect(mail!.text).toContain('3 records were set aside, for these reasons:');
    expect(mail!.text).toContain('2 × the record in Cliniko holds a value the sync cannot read (schema)');
    expect(mail!.text).toContain('cliniko-tradify dead-letters list');
    expect(mail!.text).toContain('1001, 1002, 1003');
    expect(smtp.loginsOverTls).toEqual([true]);
  });

  it('retries a deferral (4xx) and gives up on a refusal (5xx) at once', async () => {
    smtp = await startSmtp({ ca });
    smtp.reject = 451;
    const sleeps: number[] = [];
    const clock = { now: () => 0, sleep: async (ms: number) => void sleeps.push(ms) };
    const deferred = await failureOf(alerterFor(smtp, { retries: 2, clock, random: () => 0.5, throwOnFailure: true }).notify(alert));
    expect(smtp.attempts).toBe(3);
    expect(sleeps).toEqual([500, 1000]);
    expect(deferred).toMatchObject({ code: 'server_error' });
    expect((deferred as Error).message).toMatch(/deferred the message \(reply 451\)/);

    smtp.reject = 550;
    const refused = await failureOf(alerterFor(smtp, { retries: 2, clock, throwOnFailure: true }).notify(alert));
    expect(smtp.attempts).toBe(4);
    expect(refused).toMatchObject({ code: 'api_error' });
    expect((refused as Error).message).not.toContain('Mailbox busy');
  });

  it('refuses a server whose certificate it cannot verify: no ca, or another CA', async () => {
    smtp = await startSmtp({ ca });
    for (const other of [undefined, createTestCa().certPem]) {
      const error = await failureOf(alerterFor(smtp, { ca: other, throwOnFailure: true }).notify(alert));
      expect(isClinikoTradifyError(error) && error.code).toBe('connection_failed');
      expect((error as Error).message).toMatch(/certificate could not be verified/);
    }
    expect(smtp.logins).toEqual([]);
    expect(smtp.accepted).toEqual([]);
  });

  it('sends nothing, not even the password, when the server does not offer STARTTLS', async () => {
    smtp = await startSmtp({ ca, mode: 'plain' });
    const error = await failureOf(alerterFor(smtp, { throwOnFailure: true }).notify(alert));
    expect(error).toMatchObject({ code: 'connection_failed' });
    expect((error as Error).message).toMatch(/did not offer STARTTLS/);
    expect(smtp.logins).toEqual([]);
    expect(smtp.attempts).toBe(0);
  });

  it('speaks plain SMTP only to loopback', async () => {
    expect(() => alerterFor({ port: 25 } as LoopbackSmtp, { host: 'smtp.clinic.example', tls: 'none' })).toThrow(/plain SMTP .* only to a loopback host/);
    smtp = await startSmtp({ ca, mode: 'plain' });
    await alerterFor(smtp, { tls: 'none', throwOnFailure: true }).notify(alert);
    expect(smtp.accepted).toHaveLength(1);
  });

  it('reports a refused password as authentication_failed, once, without the password', async () => {
    smtp = await startSmtp({ ca });
    const lines: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m: string, f?: object) => void lines.push(`${m} ${JSON.stringify(f)}`) };
    const wrong = 'wrong-pass-canary-91';
    await alerterFor(smtp, { password: wrong, retries: 3, logger }).notify(alert);
    expect(smtp.logins).toEqual([{ user: SMTP_USER, ok: false }]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/refused the user name or password.*"code":"authentication_failed"/);
    expect(lines.join('')).not.toContain(wrong);
  });
});

describe('EmailAlerter options', () => {
  const base = { host: 'smtp.clinic.example', from: 'a@clinic.example', to: 'b@clinic.example' };

  it('refuses an unknown option naming the nearest one, without showing any value', () => {
    const error = (() => {
      try {
        new EmailAlerter({ ...base, user: 'u', passwrd: 'hunter2-canary' } as never);
      } catch (e) {
        return e;
      }
    })();
    expect(isConfigError(error)).toBe(true);
    expect((error as Error).message).toMatch(/unknown option `passwrd`; did you mean `password`\?/);
    expect((error as Error).message).not.toContain('hunter2-canary');
  });

  it('refuses a user without a password, and a header-breaking address', () => {
    expect(() => new EmailAlerter({ ...base, user: 'u' })).toThrow(/both user and password/);
    expect(() => new EmailAlerter({ ...base, to: 'b@clinic.example\r\nBcc: x@evil.example' })).toThrow(/option `to` is not valid/);
  });

  it('never shows the password in inspect or JSON', () => {
    const alerter = new EmailAlerter({ ...base, user: 'u', password: 'hunter2-canary' });
    expect(inspect(alerter, { showHidden: true, depth: 5 })).not.toContain('hunter2-canary');
    expect(JSON.stringify(alerter)).not.toContain('hunter2-canary');
    expect(alerter.name).toBe('email');
  });
});

describe('emailAlertMessage', () => {
  it('keeps every line of the subject on one line, and lists at most 20 ids', () => {
    const many = { ...alert, accountId: 'a\r\nBcc: x', recordIds: Array.from({ length: 25 }, (_, i) => String(i + 1)) };
    const { subject, text } = emailAlertMessage(many);
    expect(subject).not.toMatch(/[\r\n]/);
    expect(text).toContain('20 and 5 more');
    expect(text).not.toContain(', 21');
  });

  it('explains a reconciliation alert with the report to open', () => {
    const { subject, text } = emailAlertMessage({ ...alert, kind: 'reconciliation', severity: 'warning', counts: { 'missing-in-tradify': 2, 'field-mismatch': 1 } }, { command: 'npx cliniko-tradify' });
    expect(subject).toBe('Action needed: The check of Cliniko against Tradify found 3 differences (Cliniko sync, account clinic-42)');
    expect(text).toContain('reconciliation report');
    expect(text).toContain('npx cliniko-tradify reconcile --repair');
    expect(text).toContain('2 × in Cliniko but missing in Tradify (missing-in-tradify)');
  });
});
