/**
 * Progress of a sync on stderr: on a TTY one redrawn line per run with records/s per stream and
 * an ETA from both rate limits; plain lines (at most every few seconds) when not a TTY; nothing
 * with `--json` or `--progress none`.
 *
 * @module
 */
import { estimateEta, type Eta } from '../sync/eta.js';
import type { SyncEventMap } from '../sync/events.js';
import { formatCount, formatDuration } from './output.js';

/** How progress is shown. */
export type ProgressMode = 'tty' | 'plain' | 'none';

/** What the reporter needs. */
export interface ProgressOptions {
  mode: ProgressMode;
  write: (text: string) => void;
  /** Records waiting per stream, when known (for the ETA). */
  pending?: { patients: number; invoices: number } | undefined;
  rates: { cliniko: number; tradify: number };
  /** @defaultValue `Date.now` */
  now?: (() => number) | undefined;
  /** Minimum gap between plain lines. @defaultValue 5000 */
  plainEveryMs?: number | undefined;
}

type Stream = 'patients' | 'invoices';

interface StreamProgress {
  read: number;
  /** Records of the first page: read before the clock started, so left out of the rate. */
  first: number;
  startedAt: number | undefined;
  lastAt: number | undefined;
}

/** Listens to `pageRead` events and draws progress. */
export class ProgressReporter {
  readonly #options: ProgressOptions;
  readonly #now: () => number;
  readonly #streams: Record<Stream, StreamProgress> = {
    patients: { read: 0, first: 0, startedAt: undefined, lastAt: undefined },
    invoices: { read: 0, first: 0, startedAt: undefined, lastAt: undefined },
  };
  #current: Stream | undefined;
  #lastPlain = Number.NEGATIVE_INFINITY;
  #drawn = false;

  constructor(options: ProgressOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Feed a page event. */
  readonly onPage = (event: SyncEventMap['pageRead']): void => {
    const now = this.#now();
    const stream = this.#streams[event.stream];
    if (stream.startedAt === undefined) {
      stream.startedAt = now;
      stream.first = event.count;
    }
    stream.lastAt = now;
    stream.read += event.count;
    const switched = this.#current !== undefined && this.#current !== event.stream;
    this.#current = event.stream;
    if (this.#options.mode === 'tty') this.#draw(`\r\x1b[2K${this.describe()}`);
    else if (this.#options.mode === 'plain' && (switched || now - this.#lastPlain >= (this.#options.plainEveryMs ?? 5000))) {
      this.#lastPlain = now;
      this.#options.write(`progress: ${this.describe()}\n`);
    }
  };

  /** Ends the redrawn line (TTY) so later output starts on a fresh line. */
  finish(): void {
    if (this.#drawn) this.#options.write('\n');
    this.#drawn = false;
  }

  /** The progress text: per stream read, records/s, and the ETA at the configured limits. */
  describe(): string {
    const parts = (['patients', 'invoices'] as const).map((name) => this.#streamText(name));
    const eta = this.#eta();
    const { cliniko, tradify } = this.#options.rates;
    const why = eta?.observed ? `at the observed rate; limits ${cliniko}/${tradify} req/min` : `${eta?.bottleneck}-bound at ${cliniko}/${tradify} req/min`;
    return `${parts.join(' · ')}${eta === undefined ? '' : ` · ETA ${formatDuration(eta.ms)} (${why})`}`;
  }

  #streamText(name: Stream): string {
    const s = this.#streams[name];
    const total = this.#options.pending?.[name];
    const perSecond = this.#perSecond(s);
    const rate = perSecond > 0 ? `${formatCount(perSecond)}/s` : '–/s';
    return `${name} ${formatCount(s.read)}${total === undefined ? '' : `/${formatCount(total)}`} ${rate}`;
  }

  /** The larger of the estimate at the configured limits and the one at the rate observed so far. */
  #eta(): (Eta & { observed: boolean }) | undefined {
    const pending = this.#options.pending;
    if (!pending) return undefined;
    const remaining = { patients: Math.max(0, pending.patients - this.#streams.patients.read), invoices: Math.max(0, pending.invoices - this.#streams.invoices.read) };
    const atLimits = estimateEta({ patientsPending: remaining.patients, invoicesPending: remaining.invoices, clinikoRpm: this.#options.rates.cliniko, tradifyRpm: this.#options.rates.tradify });
    const observedMs = this.#observedMs(remaining);
    return observedMs > atLimits.ms ? { ...atLimits, ms: Math.round(observedMs), observed: true } : { ...atLimits, observed: false };
  }

  /** Records per second since the stream's first page. */
  #perSecond(s: StreamProgress): number {
    const seconds = s.startedAt !== undefined && s.lastAt !== undefined ? (s.lastAt - s.startedAt) / 1000 : 0;
    return seconds > 0 ? (s.read - s.first) / seconds : 0;
  }

  #observedMs(remaining: Record<Stream, number>): number {
    let ms = 0;
    for (const name of ['patients', 'invoices'] as const) {
      const perSecond = this.#perSecond(this.#streams[name]);
      if (perSecond > 0) ms += (remaining[name] / perSecond) * 1000;
    }
    return ms;
  }

  #draw(text: string): void {
    this.#drawn = true;
    this.#options.write(text);
  }
}

/** Chooses the mode: `--progress` wins; else TTY → `tty`, otherwise `plain`; `--json` → `none`. */
export function progressMode(requested: string | undefined, json: boolean, isTTY: boolean | undefined): ProgressMode {
  if (requested === 'tty' || requested === 'plain' || requested === 'none') return requested;
  if (json) return 'none';
  return isTTY ? 'tty' : 'plain';
}
