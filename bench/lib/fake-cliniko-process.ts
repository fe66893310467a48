/**
 * Runs the fake Cliniko in a child process so its CPU does not compete with the client under
 * test. Use {@link forkFakeCliniko}; the child answers `stats` and `close` over IPC.
 *
 * @module
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FakeClinikoOptions } from '../../src/testing/index.js';

/** Counts the child reports. */
export interface FakeStats {
  sent: number;
  tooMany: number;
  /** CPU time (user + system) the fake's process has used, ms. */
  cpuMs: number;
}

/** A fake Cliniko running in another process. */
export interface ForkedFake {
  url: string;
  apiKey: string;
  stats(): Promise<FakeStats>;
  close(): Promise<void>;
}

type FromChild = { type: 'ready'; url: string; apiKey: string } | { type: 'stats'; sent: number; tooMany: number; cpuMs: number };

/** Start the fake in a child process (tsx loader) and wait until it listens. */
export async function forkFakeCliniko(options: FakeClinikoOptions): Promise<ForkedFake> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [JSON.stringify(options)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = (type: FromChild['type']) =>
    new Promise<FromChild>((resolve, reject) => {
      const onMessage = (m: FromChild) => {
        if (m.type !== type) return;
        child.off('message', onMessage);
        resolve(m);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`fake Cliniko child exited (${code})`)));
    });
  const ready = (await next('ready')) as Extract<FromChild, { type: 'ready' }>;
  return {
    url: ready.url,
    apiKey: ready.apiKey,
    stats: async () => {
      const reply = next('stats');
      child.send({ type: 'stats' });
      const m = (await reply) as Extract<FromChild, { type: 'stats' }>;
      return { sent: m.sent, tooMany: m.tooMany, cpuMs: m.cpuMs };
    },
    close: async () => {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ type: 'close' });
      await exited;
    },
  };
}

async function childMain(): Promise<void> {
  const { startFakeCliniko } = await import('../../src/testing/index.js');
  const fc = await startFakeCliniko(JSON.parse(process.argv[2] ?? '{}') as FakeClinikoOptions);
  process.on('message', (m: { type: string }) => {
    if (m.type === 'stats') {
      const cpu = process.cpuUsage();
      process.send?.({ type: 'stats', sent: fc.requests.length, tooMany: fc.requests.filter((r) => r.status === 429).length, cpuMs: (cpu.user + cpu.system) / 1000 });
    } else if (m.type === 'close') {
      void fc.close().then(() => process.exit(0));
    }
  });
  process.send?.({ type: 'ready', url: fc.url, apiKey: fc.apiKey });
}

if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) await childMain();
