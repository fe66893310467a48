/**
 * Where the CLI sends alerts: the config file's `alerts` section and the environment. Each
 * destination (email, webhook, console) may take only some alerts (`minSeverity`, `kinds`);
 * with more than one, each keeps its own delivery state. Secrets (the SMTP password, the
 * webhook URL) come from the environment only.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ConsoleAlerter } from '../alerts/console.js';
import { EmailAlerter, type EmailAlerterOptions } from '../alerts/email.js';
import { ALERT_KINDS, ALERT_SEVERITIES, type AlertDestinations, type AlertRoute } from '../alerts/routing.js';
import { WebhookAlerter } from '../alerts/webhook.js';
import { ConfigError, isConfigError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { parseStrictOptions } from '../core/strict-options.js';
import type { Alert, AlertKind, AlertSeverity, Alerter } from '../sync/ports.js';

/** Environment variables of the email alerts. */
export const ALERT_ENV = Object.freeze({
  CLINIKO_TRADIFY_SMTP_HOST: 'email alerts: the SMTP server (setting it turns email alerts on)',
  CLINIKO_TRADIFY_SMTP_PORT: 'email alerts: the SMTP port (default 587, or 465 for implicit TLS)',
  CLINIKO_TRADIFY_SMTP_TLS: "email alerts: 'starttls' (default), 'implicit' (port 465) or 'none' (loopback relay only)",
  CLINIKO_TRADIFY_SMTP_USER: 'email alerts: the SMTP user name',
  CLINIKO_TRADIFY_SMTP_PASSWORD: 'email alerts: the SMTP password (a secret: environment only)',
  CLINIKO_TRADIFY_SMTP_CA_FILE: "email alerts: PEM file of the authority that issued the server's certificate, when private",
  CLINIKO_TRADIFY_EMAIL_FROM: "email alerts: the sender, e.g. 'Cliniko sync <alerts@clinic.example>'",
  CLINIKO_TRADIFY_EMAIL_TO: 'email alerts: the recipients, comma-separated',
});

const filter = { minSeverity: z.enum(ALERT_SEVERITIES).optional(), kinds: z.array(z.enum(ALERT_KINDS)).optional() };

const fileSchema = z
  .object({
    alerts: z
      .object({
        email: z
          .object({
            host: z.string().optional(),
            port: z.number().int().optional(),
            tls: z.enum(['starttls', 'implicit', 'none']).optional(),
            user: z.string().optional(),
            from: z.string().optional(),
            to: z.union([z.string(), z.array(z.string())]).optional(),
            caFile: z.string().optional(),
            ...filter,
          })
          .strict()
          .optional(),
        webhook: z.object({ format: z.enum(['json', 'slack']).optional(), ...filter }).strict().optional(),
        console: z.union([z.literal(false), z.object(filter).strict()]).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** The config file's `alerts` section. */
export type AlertsFileConfig = NonNullable<z.input<typeof fileSchema>['alerts']>;

/** Which alerts a destination takes. */
interface AlertFilter {
  minSeverity: AlertSeverity | undefined;
  kinds: AlertKind[] | undefined;
}

/** The email settings, merged (the environment wins) and with where each came from. */
interface EmailSettings extends AlertFilter {
  options: Omit<EmailAlerterOptions, 'logger'>;
  /** The setting to name in an error about each option. */
  settingOf: Record<string, string>;
}

/** The CLI's alert destinations, checked. */
export interface CliAlertsConfig {
  email: EmailSettings | undefined;
  webhook: AlertFilter & { url: string | undefined; format: 'json' | 'slack' | undefined };
  /** `false`: no console alerts; `undefined`: console only when no other destination is set. */
  console: AlertFilter | false | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

const EMAIL_ENV: Record<string, string> = {
  host: 'CLINIKO_TRADIFY_SMTP_HOST',
  port: 'CLINIKO_TRADIFY_SMTP_PORT',
  tls: 'CLINIKO_TRADIFY_SMTP_TLS',
  user: 'CLINIKO_TRADIFY_SMTP_USER',
  password: 'CLINIKO_TRADIFY_SMTP_PASSWORD',
  ca: 'CLINIKO_TRADIFY_SMTP_CA_FILE',
  from: 'CLINIKO_TRADIFY_EMAIL_FROM',
  to: 'CLINIKO_TRADIFY_EMAIL_TO',
};

function envText(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function envPort(env: Env): number | undefined {
  const text = envText(env, EMAIL_ENV.port!);
  if (text === undefined) return undefined;
  if (!/^\d{1,5}$/.test(text)) throw new ConfigError(EMAIL_ENV.port!, `${EMAIL_ENV.port}: must be a port number, e.g. 587.`);
  return Number(text);
}

function envTls(env: Env): EmailAlerterOptions['tls'] {
  const text = envText(env, EMAIL_ENV.tls!);
  if (text === undefined || text === 'starttls' || text === 'implicit' || text === 'none') return text;
  throw new ConfigError(EMAIL_ENV.tls!, `${EMAIL_ENV.tls}: must be starttls, implicit or none.`);
}

function readCa(path: string, setting: string, cwd: string): string {
  try {
    return readFileSync(resolve(cwd, path), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(setting, `${setting}: cannot read the CA file ${path} (${code}).`);
  }
}

/** The email settings, or `undefined` when no SMTP host is set anywhere. */
function emailSettings(file: AlertsFileConfig['email'], env: Env, cwd: string): EmailSettings | undefined {
  const settingOf: Record<string, string> = {};
  const pick = <T>(key: string, fromEnv: T | undefined, fromFile: T | undefined): T | undefined => {
    settingOf[key] = fromEnv !== undefined ? EMAIL_ENV[key]! : `alerts.email.${key === 'ca' ? 'caFile' : key}`;
    return fromEnv ?? fromFile;
  };
  const host = pick('host', envText(env, EMAIL_ENV.host!), file?.host);
  if (host === undefined) return undefined;
  const envTo = envText(env, EMAIL_ENV.to!)?.split(',').map((a) => a.trim()).filter((a) => a !== '');
  const caPath = pick('ca', envText(env, EMAIL_ENV.ca!), file?.caFile);
  const from = pick('from', envText(env, EMAIL_ENV.from!), file?.from);
  const to = pick('to', envTo, file?.to);
  if (from === undefined) throw new ConfigError(settingOf.from!, `email alerts need a sender: set ${EMAIL_ENV.from} or alerts.email.from.`);
  if (to === undefined) throw new ConfigError(settingOf.to!, `email alerts need recipients: set ${EMAIL_ENV.to} or alerts.email.to.`);
  settingOf.password = EMAIL_ENV.password!;
  const options: EmailSettings['options'] = {
    host,
    port: pick('port', envPort(env), file?.port),
    tls: pick('tls', envTls(env), file?.tls),
    user: pick('user', envText(env, EMAIL_ENV.user!), file?.user),
    password: envText(env, EMAIL_ENV.password!),
    from,
    to,
    ca: caPath === undefined ? undefined : readCa(caPath, settingOf.ca!, cwd),
  };
  return { options, settingOf, minSeverity: file?.minSeverity, kinds: file?.kinds };
}

/**
 * Checks the config file's `alerts` section and merges it with the environment.
 *
 * @throws ConfigError naming the setting (file key or environment variable) and the fix.
 */
export function resolveAlertsConfig(section: unknown, env: Env, cwd: string, where: string): CliAlertsConfig {
  const { alerts } = parseStrictOptions(fileSchema, { alerts: section }, `Config file ${where}`);
  const webhook = alerts?.webhook;
  const consoleSection = alerts?.console;
  return {
    email: emailSettings(alerts?.email, env, cwd),
    webhook: { url: envText(env, 'CLINIKO_TRADIFY_WEBHOOK_URL'), format: webhook?.format, minSeverity: webhook?.minSeverity, kinds: webhook?.kinds },
    console: consoleSection === false ? false : consoleSection && { minSeverity: consoleSection.minSeverity, kinds: consoleSection.kinds },
  };
}

/** Builds an alerter, renaming a `ConfigError`'s setting to the one the user set. */
function named<T>(settingOf: Record<string, string>, make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (!isConfigError(error)) throw error;
    const setting = settingOf[error.setting] ?? error.setting;
    throw new ConfigError(setting, `${setting}: ${error.message}`);
  }
}

function route(alerter: Alerter, filter: AlertFilter): AlertRoute {
  return { alerter, minSeverity: filter.minSeverity, kinds: filter.kinds };
}

/** What the CLI's alerts need to build their alerters. */
export interface CliAlerterInput {
  alerts: CliAlertsConfig;
  /** The config file's own alerter, which replaces every built-in destination. */
  alerter: AlertDestinations | undefined;
  /** The config file's logger, if any. */
  fileLogger: Logger | undefined;
}

/**
 * The engine's `alerter` option for the CLI: the config file's alerter as given; otherwise
 * email and webhook when configured, and the console when nothing else is (or when asked).
 * One destination is passed as it is; several become routes.
 *
 * @throws ConfigError naming the setting, e.g. plain SMTP to a host that is not loopback.
 */
export function cliAlerter(input: CliAlerterInput, logger: Logger, consoleLine?: (line: string, alert: Alert) => void): AlertDestinations {
  if (input.alerter) return input.alerter;
  const { email, webhook, console: consoleFilter } = input.alerts;
  const log = input.fileLogger ?? logger;
  const routes: AlertRoute[] = [];
  if (email) routes.push(route(named(email.settingOf, () => new EmailAlerter({ ...email.options, logger: log })), email));
  const url = webhook.url;
  if (url !== undefined) routes.push(route(named({ url: 'CLINIKO_TRADIFY_WEBHOOK_URL' }, () => new WebhookAlerter({ url, format: webhook.format, logger: log })), webhook));
  if (consoleFilter !== false && (consoleFilter !== undefined || routes.length === 0)) {
    routes.push(route(new ConsoleAlerter({ write: consoleLine }), consoleFilter ?? { minSeverity: undefined, kinds: undefined }));
  }
  const [only] = routes;
  if (routes.length === 1 && only && only.minSeverity === undefined && only.kinds === undefined) return only.alerter;
  return routes;
}

/**
 * Fails at start, not at the first alert, when email alerts are configured and nodemailer
 * (an optional peer dependency) is not installed.
 *
 * @throws ConfigError naming the SMTP host setting.
 */
export async function checkAlertDependencies(alerts: CliAlertsConfig): Promise<void> {
  if (!alerts.email) return;
  try {
    await import('nodemailer');
  } catch {
    const setting = alerts.email.settingOf.host ?? EMAIL_ENV.host!;
    throw new ConfigError(setting, `${setting}: email alerts need nodemailer (an optional peer dependency): run npm install nodemailer.`);
  }
}
