import { randomUUID } from 'node:crypto';
import { HttpTradifyClient } from '../../src/tradify/http-client.js';
import { startFakeTradify } from '../../src/testing/index.js';
import type { TradifyPortUnderTest } from '../../src/testing/index.js';
import { silentLogger } from '../../src/core/logger.js';

/** A fresh fake Tradify and a client paging by 2, paced fast enough for tests. */
export async function realPort(): Promise<TradifyPortUnderTest & { port: HttpTradifyClient }> {
  const fake = await startFakeTradify({ seed: 7, rateLimit: false, apiKey: `conformance-${randomUUID()}` });
  const port = new HttpTradifyClient({
    apiKey: fake.apiKey,
    baseUrl: fake.url,
    pageSize: 2,
    requestsPerMinute: 600_000,
    logger: silentLogger,
  });
  return { port, close: () => fake.close() };
}
