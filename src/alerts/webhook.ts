/**
 * An alerter that POSTs each alert to a webhook (JSON, or a Slack-compatible body), with a
 * timeout and retries. The URL is a secret (Slack and Teams webhook URLs carry their token in
 * the path): it never appears in an error, a log line or `util.inspect` of this object.
 *
 * @module
 */
import { systemClock } from '../core/clock.js';
import type { Clock } from '../core/clock.js';
import { AbortError, ClinikoTradifyError, ConfigError, isClinikoTradifyError } from '../core/errors.js';
import { defaultLogger } from '../core/logger.js';
import type { Logger } from '../core/logger.js';
import { isLoopbackHost } from '../core/redact.js';
import { rejectUnknownOptions, type OptionShape } from '../core/options.js';
import { FullJitterBackoff } from '../core/retry.js';
import { retryLoop } from '../core/retry-loop.js';
import type { Alert, Alerter } from '../sync/ports.js';
import { ALERT_DELIVERY, AttemptFailure, destinationName } from './delivery.js';
import type { AlertDeliveryHooks } from './delivery.js';
import { alertLine } from './format.js';

/** Options of {@link WebhookAlerter}. */
export interface WebhookAlerterOptions {
  /** The webhook URL. A secret: never logged. Must be `https:` unless it is a loopback address. */
  url: string;
  /** `'json'` posts `{ type, alert }`; `'slack'` posts `{ text, blocks }`. @defaultValue `'json'` */
  format?: 'json' | 'slack' | undefined;
  /** Per-attempt timeout in ms. @defaultValue `10_000` */
  timeoutMs?: number | undefined;
  /** Retries after the first attempt (on 5xx, 429, timeouts and network errors). @defaultValue `3` */
  retries?: number | undefined;
  /** Base delay of the exponential backoff with full jitter, in ms. @defaultValue `500` */
  retryDelayMs?: number | undefined;
  /** Extra headers (e.g. an auth header). Never logged. */
  headers?: Record<string, string> | undefined;
  /** The fetch to use. @defaultValue `globalThis.fetch` */
  fetch?: typeof fetch | undefined;
  /** Sleep for the backoff (tests inject one). @defaultValue the system clock */
  clock?: Clock | undefined;
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
  /** The destination's name in the stored delivery state (never the URL). @defaultValue `'webhook'` */
  name?: string | undefined;
  /** Source of randomness for the jitter, in [0, 1). @defaultValue `Math.random` */
  random?: (() => number) | undefined;
}

const WEBHOOK_ALERTER_SHAPE = {
  url: true,
  format: true,
  timeoutMs: true,
  retries: true,
  retryDelayMs: true,
  headers: true,
  fetch: true,
  clock: true,
  logger: true,
  throwOnFailure: true,
  random: true,
  name: true,
} as const satisfies OptionShape<WebhookAlerterOptions>;

function parseWebhookUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('url', 'WebhookAlerter: the webhook url is not a valid URL (value not shown: it is a secret).');
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname))) {
    throw new ConfigError('url', 'WebhookAlerter: the webhook url must use https: (plain http: only for loopback).');
  }
  return parsed;
}

/** The Slack-compatible body: a fallback `text` and one mrkdwn section. */
export function slackBody(alert: Alert): { text: string; blocks: unknown[] } {
  const text = `cliniko-tradify ${alertLine(alert)}`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!) } }] };
}

/** The JSON body. */
export function jsonBody(alert: Alert): { type: 'cliniko-tradify.alert'; alert: Alert } {
  return { type: 'cliniko-tradify.alert', alert };
}


/**
 * POSTs alerts to a webhook.
 *
 * @example
 * ```ts
 * const alerter = new WebhookAlerter({ url: process.env.SLACK_WEBHOOK_URL!, format: 'slack', retries: 3 });
 * ```
 * @throws ConfigError at construction when the URL is invalid or not `https:`, `name` is not a plain name, or for an unknown option.
 */
export class WebhookAlerter implements Alerter {
  /** The destination's name in the stored delivery state. */
  readonly name: string;
  readonly #url: URL;
  readonly #format: 'json' | 'slack';
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #backoff: FullJitterBackoff;
  readonly #headers: Record<string, string>;
  readonly #fetch: typeof fetch;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #throw: boolean;

  constructor(options: WebhookAlerterOptions) {
    rejectUnknownOptions(options, WEBHOOK_ALERTER_SHAPE, { owner: 'WebhookAlerter' });
    this.#url = parseWebhookUrl(options.url);
    this.#format = options.format ?? 'json';
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#retries = Math.max(0, options.retries ?? 3);
    this.#backoff = new FullJitterBackoff({ baseDelayMs: options.retryDelayMs ?? 500, maxDelayMs: Number.POSITIVE_INFINITY }, options.random ?? Math.random);
    this.#headers = { ...options.headers };
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger;
    this.#throw = options.throwOnFailure ?? false;
    this.name = destinationName(options.name, 'webhook');
  }

  /**
   * Delivers the alert, retrying transient failures with exponential backoff and full jitter.
   *
   * @throws ClinikoTradifyError (`server_error`, `timeout`, `connection_failed` or `api_error`)
   *   only with `throwOnFailure`; the message never contains the URL.
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

  /** Every attempt, then a `ClinikoTradifyError` (message without the URL) when none got through. */
  async #deliver(alert: Alert, signal: AbortSignal | undefined): Promise<void> {
    const body = JSON.stringify(this.#format === 'slack' ? slackBody(alert) : jsonBody(alert));
    try {
      await retryLoop(() => this.#attempt(body, signal), {
        clock: this.#clock,
        signal,
        next: ({ error, retriesUsed }) =>
          error instanceof AttemptFailure && error.retryable && retriesUsed < this.#retries ? { retry: true, waitMs: this.#backoff.delayMs(retriesUsed) } : { retry: false },
      });
    } catch (error) {
      if (!(error instanceof AttemptFailure)) throw error;
      throw new ClinikoTradifyError(error.code, `Webhook alert delivery failed: ${error.detail} (after up to ${this.#retries + 1} attempts)`);
    }
  }

  /** One POST; a failure throws {@link AttemptFailure}. */
  async #attempt(body: string, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) throw new AbortError();
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await this.#fetch(this.#url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.#headers },
        body,
        signal: combined,
        redirect: 'error',
      });
    } catch {
      if (signal?.aborted) throw new AbortError();
      if (timeout.aborted) throw new AttemptFailure('timeout', `no answer within ${this.#timeoutMs} ms`, true);
      throw new AttemptFailure('connection_failed', 'the webhook could not be reached', true);
    }
    await response.body?.cancel().catch(() => undefined);
    if (response.ok) return;
    const retryable = response.status >= 500 || response.status === 429 || response.status === 408;
    throw new AttemptFailure(response.status >= 500 ? 'server_error' : 'api_error', `HTTP ${response.status}`, retryable);
  }

  /** @internal */
  [ALERT_DELIVERY](): AlertDeliveryHooks {
    return { deliver: (alert, options) => this.#deliver(alert, options.signal), logger: this.#logger, throwOnFailure: this.#throw };
  }

  /** `util.inspect` and `console.log` show no URL or headers. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `WebhookAlerter { format: '${this.#format}', url: '[redacted]' }`;
  }

  /** JSON shows no URL or headers. */
  toJSON(): Record<string, unknown> {
    return { type: 'WebhookAlerter', format: this.#format, url: '[redacted]' };
  }
}
