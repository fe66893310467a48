import { randomUUID } from 'node:crypto';
import { HttpTradifyClient, silentLogger } from 'cliniko-tradify';
import { startFakeTradify, type TradifyPortUnderTest } from 'cliniko-tradify/testing';

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
