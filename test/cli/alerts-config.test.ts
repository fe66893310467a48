/**
 * The CLI's alert destinations from the config file's `alerts` section and the environment:
 * email (password from the environment only), webhook and console, each with its own filter;
 * and a whole `cliniko-tradify sync` during a Tradify outage that emails the operator.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeCliniko, startFakeTradify, type FakeCliniko, type FakeTradify } from 'cliniko-tradify/testing';
import { AlertRouter } from '../../src/alerts/routing.js';
import { ConsoleAlerter } from '../../src/alerts/console.js';
import { EmailAlerter } from '../../src/alerts/email.js';
import { cliAlerter } from '../../src/cli/alerts.js';
import { loadCliConfig } from '../../src/cli/config.js';
import { isConfigError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import type { AlertRoute } from '../../src/alerts/routing.js';
import { createTestCa } from '../alerts/test-ca.js';
import { SMTP_PASSWORD, SMTP_USER, startSmtp, type LoopbackSmtp } from '../alerts/smtp-server.js';
import { baseEnv, lines, runCli, tempDir } from './helpers.js';

async function configError(promise: Promise<unknown>): Promise<Error & { setting: string }> {
  try {
    await promise;
  } catch (error) {
    if (isConfigError(error)) return error as Error & { setting: string };
    throw error;
  }
  throw new Error('expected a ConfigError');
}

function configFile(content: unknown): string {
  const file = join(tempDir('ct-alerts-'), 'config.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
}

const SMTP_ENV = {
  CLINIKO_TRADIFY_SMTP_HOST: 'smtp.clinic.example',
  CLINIKO_TRADIFY_SMTP_USER: 'alerts@clinic.example',
  CLINIKO_TRADIFY_SMTP_PASSWORD: 'env-only-canary',
  CLINIKO_TRADIFY_EMAIL_FROM: 'Cliniko sync <alerts@clinic.example>',
  CLINIKO_TRADIFY_EMAIL_TO: 'manager@clinic.example, books@clinic.example',
};

describe('alert destinations from the environment and the config file', () => {
  it('turns email on from the environment alone; the environment wins over the file', async () => {
    const config = await loadCliConfig({ env: SMTP_ENV, cwd: tempDir() });
    expect(config.alerts.email?.options).toMatchObject({ host: 'smtp.clinic.example', user: 'alerts@clinic.example', password: 'env-only-canary', to: ['manager@clinic.example', 'books@clinic.example'] });
    const file = configFile({ alerts: { email: { host: 'smtp.file.example', port: 465, from: 'a@clinic.example', to: 'b@clinic.example', kinds: ['reconciliation'] } } });
    const merged = await loadCliConfig({ env: { ...SMTP_ENV, CLINIKO_TRADIFY_EMAIL_TO: undefined }, configPath: file });
    expect(merged.alerts.email).toMatchObject({ options: { host: 'smtp.clinic.example', port: 465, to: 'b@clinic.example' }, kinds: ['reconciliation'] });
  });

  it('refuses an SMTP password in the file, naming the variable and not the value', async () => {
    const file = configFile({ alerts: { email: { host: 'h', from: 'a@b.example', to: 'c@d.example', password: 'file-canary-pw' } } });
    const error = await configError(loadCliConfig({ env: {}, configPath: file }));
    expect(error.setting).toBe('alerts.email.password');
    expect(error.message).toContain('CLINIKO_TRADIFY_SMTP_PASSWORD');
    expect(error.message).not.toContain('file-canary-pw');
  });

  it('refuses an unknown key naming the nearest, a missing sender, and alerter with alerts', async () => {
    const typo = await configError(loadCliConfig({ env: {}, configPath: configFile({ alerts: { email: { hots: 'h' } } }) }));
    expect(typo.message).toMatch(/unknown option `alerts\.email\.hots`; did you mean `host`\?/);
    const noSender = await configError(loadCliConfig({ env: { ...SMTP_ENV, CLINIKO_TRADIFY_EMAIL_FROM: undefined } }));
    expect(noSender.setting).toBe('alerts.email.from');
    const dir = tempDir();
    const both = join(dir, 'both.mjs');
    writeFileSync(both, "export default { alerter: { notify: async () => undefined }, alerts: { console: false } };\n");
    expect((await configError(loadCliConfig({ env: {}, configPath: both }))).setting).toBe('alerts');
  });

  it('builds one route per destination with its filter, the console only when asked', async () => {
    const file = configFile({ alerts: { email: { kinds: ['reconciliation', 'dead-letters'] }, webhook: { format: 'slack', minSeverity: 'critical' } } });
    const config = await loadCliConfig({ env: { ...SMTP_ENV, CLINIKO_TRADIFY_WEBHOOK_URL: 'https://hooks.example/T0/secret' }, configPath: file });
    const routes = cliAlerter({ alerts: config.alerts, alerter: undefined, fileLogger: undefined }, silentLogger) as AlertRoute[];
    expect(routes.map((r) => [r.alerter.name, r.minSeverity, r.kinds])).toEqual([
      ['email', undefined, ['reconciliation', 'dead-letters']],
      ['webhook', 'critical', undefined],
    ]);
    expect(routes[0]!.alerter).toBeInstanceOf(EmailAlerter);
    expect(new AlertRouter(routes).routes).toHaveLength(2);
    const plain = await loadCliConfig({ env: {} });
    expect(cliAlerter({ alerts: plain.alerts, alerter: undefined, fileLogger: undefined }, silentLogger)).toBeInstanceOf(ConsoleAlerter);
  });

  it('names the variable of a bad email setting: plain SMTP to a remote host', async () => {
    const config = await loadCliConfig({ env: { ...SMTP_ENV, CLINIKO_TRADIFY_SMTP_TLS: 'none' } });
    let error: unknown;
    try {
      cliAlerter({ alerts: config.alerts, alerter: undefined, fileLogger: undefined }, silentLogger);
    } catch (e) {
      error = e;
    }
    expect(isConfigError(error) && error.setting).toBe('CLINIKO_TRADIFY_SMTP_TLS');
  });
});

describe('cliniko-tradify sync during a Tradify outage, with email alerts configured', () => {
  let fc: FakeCliniko | undefined;
  let ft: FakeTradify | undefined;
  let smtp: LoopbackSmtp | undefined;
  afterEach(async () => {
    await fc?.close();
    await ft?.close();
    await smtp?.close();
  });

  it('emails the outage through the configured SMTP server (STARTTLS, the CA from a file) and keeps the password out of stderr', async () => {
    const ca = createTestCa();
    smtp = await startSmtp({ ca });
    fc = await startFakeCliniko({ patients: 3, invoices: 0, seed: 5, rateLimit: false });
    ft = await startFakeTradify({ seed: 5, rateLimit: false });
    ft.faults.set({ down: true });
    const dir = tempDir('ct-email-cli-');
    const caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, ca.certPem);
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ alerts: { email: { host: '127.0.0.1', port: smtp.port, user: SMTP_USER, from: 'sync@clinic.example', to: 'manager@clinic.example', caFile, kinds: ['outage'] }, console: { minSeverity: 'critical' } } }));
    const env = baseEnv({
      CLINIKO_API_KEY: fc.apiKey,
      CLINIKO_BASE_URL: fc.url,
      CLINIKO_USER_AGENT: 'CLI email tests (tests@example.com)',
      TRADIFY_API_KEY: ft.apiKey,
      TRADIFY_BASE_URL: ft.url,
      CLINIKO_TRADIFY_DB: join(dir, 'state.db'),
      CLINIKO_REQUESTS_PER_MINUTE: '600000',
      TRADIFY_REQUESTS_PER_MINUTE: '600000',
      CLINIKO_TRADIFY_SMTP_PASSWORD: SMTP_PASSWORD,
    });
    const result = await runCli(['sync', '--config', config, '--log-format', 'json', '--progress', 'none'], env);
    expect(result.code).toBe(1);
    expect(smtp.accepted.map((m) => m.subject)).toEqual(['Urgent: Tradify could not be reached, so the sync paused (Cliniko sync, account default)']);
    expect(smtp.logins).toEqual([{ user: SMTP_USER, ok: true }]);
    const entries = lines(result.stderr).map((l) => JSON.parse(l) as { msg: string });
    expect(entries.some((e) => e.msg.startsWith('[cliniko-tradify] alert [critical] outage'))).toBe(true); // the console route takes critical alerts too
    expect(result.stderr).not.toContain(SMTP_PASSWORD);
  }, 120_000);
});
