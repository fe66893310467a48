import { type Clock, AbortError, type LogFields, type Logger, ClinikoClient, type ClinikoClientOptions } from 'cliniko-tradify';

export const BASE = 'https://api.au1.cliniko.com/v1';
export const USER_AGENT = 'Test Suite (tests@example.com)';

let keyCounter = 0;
/** A fresh key per client, so no two tests share a process-wide limiter. */
export function uniqueKey(prefix = 'testkey'): string {
  keyCounter += 1;
  return `${prefix}${keyCounter}x${process.pid}-au1`;
}

/** A clock whose sleeps resolve only when the test advances time. */
export class ManualClock implements Clock {
  time = Date.UTC(2026, 0, 1, 0, 0, 0);
  readonly sleeps: number[] = [];
  #waiters: Array<{ at: number; resolve: () => void }> = [];

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new AbortError());
      signal?.addEventListener('abort', () => reject(new AbortError()), { once: true });
      this.#waiters.push({ at: this.time + ms, resolve });
    });
  }

  async advance(ms: number): Promise<void> {
    this.time += ms;
    const due = this.#waiters.filter((w) => w.at <= this.time);
    this.#waiters = this.#waiters.filter((w) => w.at > this.time);
    for (const w of due) w.resolve();
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A clock that records sleeps and resolves them at once. */
export class InstantClock implements Clock {
  time = Date.UTC(2026, 0, 1, 0, 0, 0);
  readonly sleeps: number[] = [];
  now(): number {
    return this.time;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += ms;
  }
}

/** A logger that keeps every line as text. */
export class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  #push(level: string, message: string, fields?: LogFields) {
    this.lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  }
  debug(m: string, f?: LogFields) {
    this.#push('debug', m, f);
  }
  info(m: string, f?: LogFields) {
    this.#push('info', m, f);
  }
  warn(m: string, f?: LogFields) {
    this.#push('warn', m, f);
  }
  error(m: string, f?: LogFields) {
    this.#push('error', m, f);
  }
}

export function makeClient(overrides: Partial<ClinikoClientOptions> = {}): ClinikoClient {
  return new ClinikoClient({
    apiKey: uniqueKey(),
    userAgent: USER_AGENT,
    requestsPerMinute: 60_000,
    clock: new InstantClock(),
    logger: new MemoryLogger(),
    random: () => 0.5,
    ...overrides,
  });
}

/** A list envelope as Cliniko sends it. */
export function envelope(key: string, rows: unknown[], next?: string, total?: number) {
  return { [key]: rows, total_entries: total ?? rows.length, links: { self: `${BASE}/${key}`, ...(next ? { next } : {}) } };
}

/** A minimal valid patient row. */
export function patientRow(id: string, updatedAt = '2026-01-01T00:00:00Z', extra: Record<string, unknown> = {}) {
  return { id, created_at: '2025-01-01T00:00:00Z', updated_at: updatedAt, first_name: 'Pat', last_name: `Row${id.slice(-3)}`, archived_at: null, ...extra };
}
