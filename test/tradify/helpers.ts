import { randomUUID } from 'node:crypto';
import { type Clock, type LogFields, type Logger, HttpTradifyClient, type HttpTradifyClientOptions } from 'cliniko-tradify';

/** msw's base URL for client tests: https, not loopback, not Tradify's. */
export const MSW_BASE = 'https://tradify-contract.test/v1';

/** A clock whose sleeps return at once and advance `now`, recording every wait. */
export function instantClock(start = Date.parse('2026-03-01T00:00:00Z')): Clock & { sleeps: number[] } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

/** A logger that keeps every line (message and fields) as text. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const record = (level: string) => (message: string, fields?: LogFields) => {
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  };
  return { lines, debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
}

/**
 * A client with a fresh key (the pacing limiter is shared per key per process, and the first
 * client's clock wins), an instant clock and a pace fast enough for tests.
 */
export function makeClient(overrides: Partial<HttpTradifyClientOptions> = {}) {
  const clock = instantClock();
  const logger = recordingLogger();
  const client = new HttpTradifyClient({
    apiKey: `test-key-${randomUUID()}`,
    baseUrl: MSW_BASE,
    requestsPerMinute: 600_000,
    clock,
    logger,
    ...overrides,
  });
  return { client, clock, logger };
}

/** A contract customer on the wire. */
export function wireCustomer(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    name: `Customer ${id}`,
    email: null,
    externalReference: null,
    customFields: { custom1: null, custom2: null, custom3: null, custom4: null },
    active: true,
    createdAt: '2026-03-01T00:00:00Z',
    updatedAt: '2026-03-01T00:00:00Z',
    ...extra,
  };
}

/** A contract draft invoice on the wire. */
export function wireInvoice(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    invoiceNumber: null,
    status: 'draft',
    isOverdue: false,
    customerId: 'cus_1',
    siteId: null,
    jobIds: [],
    reference: null,
    externalReference: null,
    invoiceDate: '2026-03-01',
    dueDate: '2026-03-15',
    taxMode: 'exclusive',
    currency: 'AUD',
    lineItems: [
      {
        id: 'li_1',
        type: 'misc',
        description: 'Consult',
        quantity: '1.00',
        unitPrice: '100.00',
        discountPercent: 0,
        taxRateId: 'tax_gst',
        taxRatePercent: 10,
        amountExTax: '100.00',
        taxAmount: '10.00',
        amountIncTax: '110.00',
      },
    ],
    subtotal: '100.00',
    totalTax: '10.00',
    total: '110.00',
    amountPaid: '0.00',
    amountCredited: '0.00',
    amountDue: '110.00',
    ...extra,
  };
}
