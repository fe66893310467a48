/**
 * The engine's typed events. Payloads carry ids, counts and reason codes only, never patient data.
 *
 * @module
 */

/** A stream the engine syncs. */
export type SyncStream = 'patients' | 'invoices';

/** Payloads of every event, by name. */
export interface SyncEventMap {
  /** A run acquired the lease and started. */
  runStarted: { runId: string; accountId: string; startedAt: string; dryRun: boolean };
  /** One page of Cliniko records was read. */
  pageRead: { runId: string; stream: SyncStream; count: number; cursor: string | null };
  /** A record was written to Tradify. */
  recordWritten: {
    runId: string;
    stream: SyncStream;
    clinikoId: string;
    tradifyId: string;
    action: 'created' | 'updated' | 'linked' | 'approved' | 'paid' | 'cancelled' | 'deleted' | 'payment-deleted' | 'archived';
  };
  /** A record was read and not written, with the reason. */
  recordSkipped: { runId: string; stream: SyncStream; clinikoId: string; reason: string };
  /** A record could not be synced and went to the dead-letter list. */
  deadLettered: { runId: string; stream: SyncStream; clinikoId: string; reasonCode: string };
  /** A person must decide something about a record. */
  reviewOpened: { runId: string; stream: SyncStream; clinikoId: string; reasonCode: string };
  /** The run ended (normally, stopped by `maxRunDuration`, or with an error). */
  runFinished: { runId: string; accountId: string; outcome: 'completed' | 'partial' | 'failed'; durationMs: number };
}

/** The name of an engine event. */
export type SyncEventName = keyof SyncEventMap;

/** A listener for one event. */
export type SyncEventListener<K extends SyncEventName> = (payload: SyncEventMap[K]) => void;

/**
 * A minimal typed event emitter. A throwing listener is isolated: the error is swallowed so a
 * bad listener cannot break a sync.
 */
export class SyncEvents {
  readonly #listeners = new Map<SyncEventName, Set<(payload: never) => void>>();

  /** Adds a listener; returns a function that removes it. */
  on<K extends SyncEventName>(name: K, listener: SyncEventListener<K>): () => void {
    let set = this.#listeners.get(name);
    if (!set) this.#listeners.set(name, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => this.off(name, listener);
  }

  /** Removes a listener. */
  off<K extends SyncEventName>(name: K, listener: SyncEventListener<K>): void {
    this.#listeners.get(name)?.delete(listener as (payload: never) => void);
  }

  /** Calls every listener of `name` with `payload`. */
  emit<K extends SyncEventName>(name: K, payload: SyncEventMap[K]): void {
    for (const listener of this.#listeners.get(name) ?? []) {
      try {
        (listener as SyncEventListener<K>)(payload);
      } catch {
        // a listener's failure must not stop the sync
      }
    }
  }
}
