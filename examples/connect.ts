/**
 * Shared by the examples: real clients when the keys are in the environment, otherwise the
 * built-in fakes on loopback (so every example runs with no setup and exits).
 */
import { ClinikoClient, HttpTradifyClient } from 'cliniko-tradify';
import { startFakeCliniko, startFakeTradify } from 'cliniko-tradify/testing';

/** The two clients, and how to shut down the fakes (a no-op against real services). */
export interface Connection {
  cliniko: ClinikoClient;
  tradify: HttpTradifyClient;
  usingFakes: boolean;
  close(): Promise<void>;
}

/** Connects to the real services when `CLINIKO_API_KEY` is set, else to fresh fakes. */
export async function connect(size: { patients: number; invoices: number } = { patients: 25, invoices: 40 }): Promise<Connection> {
  const env = process.env;
  if (env.CLINIKO_API_KEY && env.TRADIFY_API_KEY && env.TRADIFY_BASE_URL) {
    return {
      cliniko: new ClinikoClient({ apiKey: env.CLINIKO_API_KEY, userAgent: env.CLINIKO_USER_AGENT ?? '', baseUrl: env.CLINIKO_BASE_URL }),
      tradify: new HttpTradifyClient({ apiKey: env.TRADIFY_API_KEY, baseUrl: env.TRADIFY_BASE_URL }),
      usingFakes: false,
      close: async () => undefined,
    };
  }
  const fc = await startFakeCliniko({ ...size, seed: 3, rateLimit: false });
  const ft = await startFakeTradify({ seed: 3, rateLimit: false });
  return {
    cliniko: new ClinikoClient({ apiKey: fc.apiKey, userAgent: 'Example (dev@example.com)', baseUrl: fc.url, requestsPerMinute: 60_000 }),
    tradify: new HttpTradifyClient({ apiKey: ft.apiKey, baseUrl: ft.url, requestsPerMinute: 60_000 }),
    usingFakes: true,
    close: async () => {
      await fc.close();
      await ft.close();
    },
  };
}
