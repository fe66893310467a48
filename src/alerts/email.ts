/**
 * An alerter that emails each alert through an SMTP server (nodemailer, an optional peer
 * dependency loaded on the first delivery). The connection is always encrypted and the
 * server's certificate always checked: STARTTLS (required, never skipped) or implicit TLS on
 * port 465; plain SMTP only to a loopback host (a local relay). The password is a secret: it
 * never appears in an error, a log line, `util.inspect` or JSON of this object.
 *
 * @module
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { systemClock } from '../core/clock.js';
import type { Clock } from '../core/clock.js';
import { AbortError, ClinikoTradifyError, ConfigError, isClinikoTradifyError } from '../core/errors.js';
import type { ErrorCode } from '../core/errors.js';
import { defaultLogger } from '../core/logger.js';
import type { Logger } from '../core/logger.js';
import { isLoopbackHost } from '../core/redact.js';
import { FullJitterBackoff } from '../core/retry.js';
import { retryLoop } from '../core/retry-loop.js';
import { parseStrictOptions } from '../core/strict-options.js';
import type { Alert, Alerter } from '../sync/ports.js';
import { ALERT_DELIVERY, AttemptFailure, destinationName } from './delivery.js';
import type { AlertDeliveryHooks } from './delivery.js';
import { emailAlertMessage } from './email-message.js';

/** How the connection to the SMTP server is encrypted. */
export type EmailTls = 'starttls' | 'implicit' | 'none';

/** Options of {@link EmailAlerter}. */
export interface EmailAlerterOptions {
  /** The SMTP server, e.g. `'smtp.office365.com'`. */
  host: string;
  /** The SMTP port. @defaultValue `465` with `tls: 'implicit'`, else `587` */
  port?: number | undefined;
  /**
   * `'starttls'`: upgrade a plain connection, and send nothing if the server cannot;
   * `'implicit'`: TLS from the first byte (port 465); `'none'`: plain SMTP, allowed only to a
   * loopback host such as a local relay. Certificates are always checked.
   * @defaultValue `'implicit'` on port 465, else `'starttls'`
   */
  tls?: EmailTls | undefined;
  /** The SMTP user name, when the server needs one. */
  user?: string | undefined;
  /** The SMTP password (with `user`). A secret: read it from the environment, never a file. */
  password?: string | undefined;
  /** The sender, e.g. `'Cliniko sync <alerts@clinic.example>'`. */
  from: string;
  /** Who receives the alerts. */
  to: string | readonly string[];
  /**
   * Certificate authorities to trust (PEM), for a server whose certificate a private authority
   * issued. They replace the system's trusted authorities for this connection.
   * @defaultValue the system's trusted authorities
   */
  ca?: string | readonly string[] | undefined;
  /** Timeout of each step of one attempt (connect, greeting, each reply), in ms. @defaultValue `30_000` */
  timeoutMs?: number | undefined;
  /** Retries after the first attempt (on a deferral, a timeout or a lost connection). @defaultValue `2` */
  retries?: number | undefined;
  /** Base delay of the exponential backoff with full jitter, in ms. @defaultValue `1000` */
  retryDelayMs?: number | undefined;
  /** Sleep for the backoff (tests inject one). @defaultValue the system clock */
  clock?: Clock | undefined;
  /** Source of randomness for the jitter, in [0, 1). @defaultValue `Math.random` */
  random?: (() => number) | undefined;
  /**
   * Where delivery failures are reported. The engine reports there once per incident; without
   * it, in the engine's logger. @defaultValue the library's default logger
   */
  logger?: Logger | undefined;
  /**
   * Throw from `notify` when every attempt failed, instead of logging. Either way the engine
   * records the alert as not delivered and sends it again on the next run. @defaultValue `false`
   */
  throwOnFailure?: boolean | undefined;
  /** The destination's name in the stored delivery state. @defaultValue `'email'` */
  name?: string | undefined;
  /** How the command is shown in the email's next steps. @defaultValue `'cliniko-tradify'` */
  command?: string | undefined;
}

const address = z.string().min(3).max(320).refine((s) => s.includes('@') && !/[\r\n\0]/.test(s), { message: 'expected an email address' });

const optionsSchema = z
  .object({
    host: z.string().min(1).max(253).refine((s) => !/[\s/]/.test(s), { message: 'expected a host name or address' }),
    port: z.number().int().min(1).max(65_535).optional(),
    tls: z.enum(['starttls', 'implicit', 'none']).optional(),
    user: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    from: address,
    to: z.union([address, z.array(address).min(1).readonly()]),
    ca: z.union([z.string(), z.array(z.string()).readonly()]).optional(),
    timeoutMs: z.number().int().positive().optional(),
    retries: z.number().int().min(0).optional(),
    retryDelayMs: z.number().min(0).optional(),
    clock: z.custom<Clock>((c) => typeof (c as Partial<Clock> | null)?.sleep === 'function').optional(),
    random: z.custom<() => number>((f) => typeof f === 'function').optional(),
    logger: z.custom<Logger>((l) => typeof (l as Partial<Logger> | null)?.error === 'function').optional(),
    throwOnFailure: z.boolean().optional(),
    name: z.string().optional(),
    command: z.string().min(1).max(200).optional(),
  })
  .strict();

/** The part of nodemailer this alerter uses. */
interface MailTransport {
  sendMail(message: Record<string, unknown>): Promise<unknown>;
  close(): void;
}

interface Nodemailer {
  createTransport(options: Record<string, unknown>): MailTransport;
}

async function loadNodemailer(): Promise<Nodemailer> {
  try {
    const module = (await import('nodemailer')) as unknown as { default?: Nodemailer } & Partial<Nodemailer>;
    const mailer = module.default ?? (module as Nodemailer);
    if (typeof mailer.createTransport === 'function') return mailer;
  } catch {
    // reported below
  }
  throw new ConfigError('nodemailer', 'EmailAlerter needs nodemailer (an optional peer dependency): run npm install nodemailer.');
}

function isCertificateFailure(code: string, message: string): boolean {
  return /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(code) || /certificate|self[- ]signed|altnames/i.test(message);
}

/** Why an attempt failed, from nodemailer's error (its message and the server's reply are never kept). */
function classify(error: unknown, timeoutMs: number): AttemptFailure {
  const e = (error ?? {}) as { code?: unknown; responseCode?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  const reply = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const failure = (errorCode: ErrorCode, detail: string, retryable: boolean) => new AttemptFailure(errorCode, detail, retryable);
  if (isClinikoTradifyError(error)) return failure(error.code, error.message, false);
  if (code === 'EAUTH') return failure('authentication_failed', 'the SMTP server refused the user name or password', false);
  if (code === 'ETLS' || /STARTTLS/i.test(message)) return failure('connection_failed', 'the SMTP server did not offer STARTTLS, so nothing was sent', false);
  if (isCertificateFailure(code, message)) return failure('connection_failed', "the SMTP server's certificate could not be verified (trust its authority with the ca option)", false);
  if (reply !== undefined && reply >= 500) return failure('api_error', `the SMTP server refused the message (reply ${reply})`, false);
  if (reply !== undefined && reply >= 400) return failure('server_error', `the SMTP server deferred the message (reply ${reply})`, true);
  if (code === 'ETIMEDOUT') return failure('timeout', `no answer within ${timeoutMs} ms`, true);
  return failure('connection_failed', 'the SMTP server could not be reached', true);
}

function resolveTls(host: string, port: number | undefined, tls: EmailTls | undefined): { tls: EmailTls; port: number } {
  const mode = tls ?? (port === 465 ? 'implicit' : 'starttls');
  if (mode === 'none' && !isLoopbackHost(host)) {
    throw new ConfigError('tls', "EmailAlerter: plain SMTP (tls: 'none') is allowed only to a loopback host; use 'starttls' or 'implicit'.");
  }
  return { tls: mode, port: port ?? (mode === 'implicit' ? 465 : 587) };
}

/**
 * Emails alerts: a subject and a plain-text body a practice manager can act on (what
 * happened, how many records, what to do next, the command or report to open), ids only.
 *
 * @example
 * ```ts
 * import { EmailAlerter } from 'cliniko-tradify/email';
 * const alerter = new EmailAlerter({
 *   host: 'smtp.office365.com', user: 'alerts@clinic.example', password: process.env.SMTP_PASSWORD,
 *   from: 'Cliniko sync <alerts@clinic.example>', to: ['manager@clinic.example'],
 * });
 * ```
 * @throws ConfigError at construction for an unknown or invalid option, plain SMTP to a host
 *   that is not loopback, a user without a password (or the reverse), or a `name` that is
 *   not a plain name. The message never shows the password.
 */
export class EmailAlerter implements Alerter {
  /** The destination's name in the stored delivery state. */
  readonly name: string;
  readonly #host: string;
  readonly #port: number;
  readonly #tls: EmailTls;
  readonly #auth: { user: string; pass: string } | undefined;
  readonly #from: string;
  readonly #to: readonly string[];
  readonly #ca: readonly string[] | undefined;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #backoff: FullJitterBackoff;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #throw: boolean;
  readonly #command: string | undefined;
  #mailer: Promise<Nodemailer> | undefined;

  constructor(options: EmailAlerterOptions) {
    const o = parseStrictOptions(optionsSchema, options, 'EmailAlerter');
    if ((o.user === undefined) !== (o.password === undefined)) {
      throw new ConfigError(o.user === undefined ? 'user' : 'password', 'EmailAlerter: give both user and password (the password from the environment), or neither.');
    }
    ({ tls: this.#tls, port: this.#port } = resolveTls(o.host, o.port, o.tls));
    this.#host = o.host;
    this.#auth = o.user !== undefined && o.password !== undefined ? { user: o.user, pass: o.password } : undefined;
    this.#from = o.from;
    this.#to = typeof o.to === 'string' ? [o.to] : [...o.to];
    this.#ca = o.ca === undefined ? undefined : typeof o.ca === 'string' ? [o.ca] : [...o.ca];
    this.#timeoutMs = o.timeoutMs ?? 30_000;
    this.#retries = o.retries ?? 2;
    this.#backoff = new FullJitterBackoff({ baseDelayMs: o.retryDelayMs ?? 1000, maxDelayMs: Number.POSITIVE_INFINITY }, o.random ?? Math.random);
    this.#clock = o.clock ?? systemClock;
    this.#logger = o.logger;
    this.#throw = o.throwOnFailure ?? false;
    this.#command = o.command;
    this.name = destinationName(o.name, 'email');
  }

  /**
   * Emails the alert, retrying a deferral, a timeout or a lost connection with exponential
   * backoff and full jitter.
   *
   * @throws ClinikoTradifyError (`authentication_failed`, `connection_failed`, `server_error`,
   *   `api_error`, `timeout` or `config_invalid`) only with `throwOnFailure`; the message never
   *   contains the password or the server's reply text.
   * @throws AbortError when `signal` fires.
   */
  async notify(alert: Alert, options: { signal?: AbortSignal | undefined } = {}): Promise<void> {
    try {
      await this.#deliver(alert, options.signal);
    } catch (error) {
      if (this.#throw || !isClinikoTradifyError(error) || error.code === 'aborted') throw error;
      (this.#logger ?? defaultLogger).error(error.message, { kind: alert.kind, fingerprint: alert.fingerprint, code: error.code });
    }
  }

  /** Every attempt, then a `ClinikoTradifyError` when none got through. */
  async #deliver(alert: Alert, signal: AbortSignal | undefined): Promise<void> {
    const { subject, text } = emailAlertMessage(alert, { command: this.#command });
    const message = { from: this.#from, to: [...this.#to], subject, text, headers: { 'Auto-Submitted': 'auto-generated' } };
    try {
      await retryLoop(() => this.#attempt(message, signal), {
        clock: this.#clock,
        signal,
        next: ({ error, retriesUsed }) =>
          error instanceof AttemptFailure && error.retryable && retriesUsed < this.#retries ? { retry: true, waitMs: this.#backoff.delayMs(retriesUsed) } : { retry: false },
      });
    } catch (error) {
      if (!(error instanceof AttemptFailure)) throw error;
      throw new ClinikoTradifyError(error.code, `Email alert delivery failed: ${error.detail} (after up to ${this.#retries + 1} attempts)`);
    }
  }

  /** One SMTP session; a failure throws {@link AttemptFailure}. */
  async #attempt(message: Record<string, unknown>, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) throw new AbortError();
    const transport = (await this.#nodemailer()).createTransport(this.#transportOptions());
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_resolve, reject) => signal?.addEventListener('abort', (onAbort = () => reject(new AbortError())), { once: true }));
    aborted.catch(() => undefined);
    try {
      await Promise.race([transport.sendMail(message), aborted]);
    } catch (error) {
      if (signal?.aborted) throw new AbortError();
      throw classify(error, this.#timeoutMs);
    } finally {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
      transport.close();
    }
  }

  /** nodemailer, loaded once; its absence is an {@link AttemptFailure} (`config_invalid`), tried again next time. */
  async #nodemailer(): Promise<Nodemailer> {
    try {
      return await (this.#mailer ??= loadNodemailer());
    } catch (error) {
      this.#mailer = undefined;
      throw classify(error, this.#timeoutMs);
    }
  }

  #transportOptions(): Record<string, unknown> {
    return {
      host: this.#host,
      port: this.#port,
      secure: this.#tls === 'implicit',
      requireTLS: this.#tls === 'starttls',
      ignoreTLS: this.#tls === 'none',
      auth: this.#auth ? { ...this.#auth } : undefined,
      tls: { rejectUnauthorized: true, minVersion: 'TLSv1.2', ...(this.#ca ? { ca: [...this.#ca] } : {}), ...(isIP(this.#host) ? {} : { servername: this.#host }) },
      connectionTimeout: this.#timeoutMs,
      greetingTimeout: this.#timeoutMs,
      socketTimeout: this.#timeoutMs,
      logger: false,
      debug: false,
      disableFileAccess: true,
      disableUrlAccess: true,
    };
  }

  /** @internal */
  [ALERT_DELIVERY](): AlertDeliveryHooks {
    return { deliver: (alert, options) => this.#deliver(alert, options.signal), logger: this.#logger, throwOnFailure: this.#throw };
  }

  /** `util.inspect` and `console.log` show no user, password or addresses. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `EmailAlerter { host: '${this.#host}', port: ${this.#port}, tls: '${this.#tls}', password: '[redacted]' }`;
  }

  /** JSON shows no user, password or addresses. */
  toJSON(): Record<string, unknown> {
    return { type: 'EmailAlerter', host: this.#host, port: this.#port, tls: this.#tls, password: '[redacted]' };
  }
}
