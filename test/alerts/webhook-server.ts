/**
 * A loopback webhook for alert tests: answers every POST with the status the test sets and
 * keeps the alerts it accepted (2xx) apart from all it received.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Alert, Clock, LogFields, Logger } from 'cliniko-tradify';

/** The secret part of the URL: a test fails if it shows up in a log line. */
const SECRET_PATH = '/hooks/T000/B000/secret-token-canary';

export interface LoopbackWebhook {
  url: string;
  /** The status every POST gets from now on. */
  status: number;
  /** Every alert POSTed, accepted or not. */
  received: Alert[];
  /** The alerts answered with a 2xx. */
  accepted: Alert[];
  close(): Promise<void>;
}

export async function startWebhook(): Promise<LoopbackWebhook> {
  const hook = { status: 200, received: [] as Alert[], accepted: [] as Alert[] };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const { alert } = JSON.parse(raw) as { alert: Alert };
      hook.received.push(alert);
      if (hook.status < 300) hook.accepted.push(alert);
      res.writeHead(hook.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${SECRET_PATH}`;
  return Object.assign(hook, {
    url,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

/** Sleeps that return at once (the webhook's backoff), so tests never wait. */
export const instantClock: Clock = { now: () => Date.UTC(2026, 6, 1), sleep: async () => undefined };

/** A logger keeping one string per line. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string, fields?: LogFields) => void lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** The warnings and errors about alerts (a failed delivery, whoever reports it). */
export function alertProblems(logger: { lines: string[] }): string[] {
  return logger.lines.filter((line) => /^(warn|error) .*alert/i.test(line));
}
