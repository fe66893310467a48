/**
 * The worked example adapter (examples/changeset-adapter): a `TradifyPort` over a change-set
 * style backend passes the whole conformance suite, and a sync runs through it.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from 'cliniko-tradify';
import { runTradifyPortConformance } from 'cliniko-tradify/testing';
import { LedgerTradifyAdapter } from '../../examples/changeset-adapter/adapter.js';
import { startLedgerBackend } from '../../examples/changeset-adapter/fake-backend.js';

const FAST = { requestsPerMinute: 600_000, logger: silentLogger, retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 2 } };

runTradifyPortConformance(
  { describe, it, expect },
  async () => {
    const backend = await startLedgerBackend({ maxPageSize: 2 });
    const port = new LedgerTradifyAdapter({ baseUrl: backend.url, token: backend.token, pageSize: 2, ...FAST });
    return { port, close: () => backend.close() };
  },
  { title: 'the change-set example adapter passes the TradifyPort conformance suite' },
);
