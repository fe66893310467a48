import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { pinoLogger } from '../../src/core/pino.js';
import type { Logger } from '../../src/core/logger.js';

function capture(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
      done();
    },
  });
  return { stream, lines };
}

describe('pinoLogger', () => {
  it('hands each entry to pino as (fields, msg): one JSON line with the fields at the top level', () => {
    const { stream, lines } = capture();
    const logger: Logger = pinoLogger(pino({ level: 'debug', base: undefined }, stream).child({ service: 'sync' }));
    logger.warn('retrying after a transient failure', { api: 'tradify', code: 'server_error', retry: 1, skipped: undefined });
    logger.debug('http', { status: 200 });
    logger.info('multi\nline');
    logger.error('done');
    expect(lines).toHaveLength(4);
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries[0]).toMatchObject({ level: 40, msg: 'retrying after a transient failure', api: 'tradify', code: 'server_error', retry: 1, service: 'sync' });
    expect(entries[0]).not.toHaveProperty('skipped');
    expect(entries.map((e) => e.level)).toEqual([40, 20, 30, 50]);
    expect(entries[2]!.msg).toBe('multi\nline');
  });

  it("leaves level filtering to pino's own level", () => {
    const { stream, lines } = capture();
    const logger = pinoLogger(pino({ level: 'warn' }, stream));
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['w']);
  });
});
