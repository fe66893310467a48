/**
 * Fault injection for the fake Cliniko, settable while it runs: 5xx every Nth request,
 * dropped connections, malformed JSON bodies, an HTML 504 page, extra latency, and hooks
 * that edit rows between two page reads.
 *
 * @module
 */

/** Which requests a fault hits: every `every`th matching one, at most `limit` times. */
export interface FaultRule {
  /** Hit the Nth, 2Nth, … matching request (1 = every request). */
  every: number;
  /** Stop after this many hits. @defaultValue unlimited */
  limit?: number;
  /** Only requests this returns true for are counted (default: all). */
  match?: (request: { method: string; path: string }) => boolean;
}

/** A list read, as the hooks see it. */
export interface ListEvent {
  /** The list's envelope key, e.g. `patients`. */
  resource: string;
  /** 1 for the first list request of this resource since the server started, then 2, … */
  n: number;
  /** The requested page number. */
  page: number;
  /** The request's query parameters. */
  query: URLSearchParams;
}

/** A served page, as `onPageServed` sees it. */
export interface PageEvent extends ListEvent {
  /** The ids on the page, in order. */
  ids: string[];
  /** `total_entries` of the response. */
  totalEntries: number;
}

/** The faults in force. Every field is optional; `set` merges. */
export interface FakeClinikoFaults {
  /** Answer with a 5xx JSON error (status default 500). */
  serverError?: FaultRule & { status?: number };
  /** Destroy the socket without answering (msw: a network error). */
  dropConnection?: FaultRule;
  /** Answer 200 with a truncated JSON body. */
  malformedJson?: FaultRule;
  /** Answer 504 with an HTML gateway page. */
  html504?: FaultRule;
  /** Extra latency before every response, in ms (added to the `latencyMs` option). */
  latencyMs?: number;
  /** Runs before a list is computed: edit or delete rows here to simulate concurrent writers. */
  beforeList?: (event: ListEvent) => void | Promise<void>;
  /** Runs after a list page is computed, before it is sent. */
  onPageServed?: (event: PageEvent) => void | Promise<void>;
}

/** The fault kinds that replace a response. */
export type FaultKind = 'dropConnection' | 'html504' | 'serverError' | 'malformedJson';

const KINDS: readonly FaultKind[] = ['dropConnection', 'html504', 'serverError', 'malformedJson'];

/** Sets, clears and evaluates faults. */
export interface FaultController {
  /** Merges faults into those in force; a rule that is set again restarts its count. */
  set(faults: FakeClinikoFaults): void;
  /** Removes every fault and hook. */
  clear(): void;
  /** The faults in force (read-only view). */
  readonly current: Readonly<FakeClinikoFaults>;
  /** Counts a request against every rule and returns the fault to apply, if any. */
  decide(request: { method: string; path: string }): FaultKind | undefined;
}

/** Creates a controller with no faults. */
export function createFaultController(): FaultController {
  let faults: FakeClinikoFaults = {};
  const counters = new Map<FaultKind, { seen: number; hits: number }>();
  return {
    set(next) {
      for (const kind of KINDS) {
        const rule = next[kind];
        if (rule !== undefined && !(Number.isInteger(rule.every) && rule.every >= 1)) throw new RangeError(`faults.${kind}.every must be a positive integer`);
        if (kind in next) counters.set(kind, { seen: 0, hits: 0 });
      }
      faults = { ...faults, ...next };
    },
    clear() {
      faults = {};
      counters.clear();
    },
    get current() {
      return faults;
    },
    decide(request) {
      let chosen: FaultKind | undefined;
      for (const kind of KINDS) {
        const rule = faults[kind];
        if (!rule || (rule.match && !rule.match(request))) continue;
        const counter = counters.get(kind) ?? { seen: 0, hits: 0 };
        counters.set(kind, counter);
        counter.seen += 1;
        const due = counter.seen % rule.every === 0 && (rule.limit === undefined || counter.hits < rule.limit);
        if (due && chosen === undefined) {
          counter.hits += 1;
          chosen = kind;
        }
      }
      return chosen;
    },
  };
}
