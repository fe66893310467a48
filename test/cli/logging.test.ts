import { describe, expect, it } from 'vitest';
import { createLineLogger, formatEntry, logFormatFor, logFormatInArgs, logLevelFor } from '../../src/cli/logging.js';

const AT = new Date('2026-07-01T02:03:04.005Z');
const HOSTILE = 'line one\nline two\r\n\u001b[31mred\u2028sep\u0085end';

describe('formatEntry', () => {
  it('writes json as one object with time, level, msg and the fields, whatever the text holds', () => {
    const line = formatEntry('json', AT, 'warn', HOSTILE, { api: 'tradify', path: HOSTILE, retry: 2, gone: undefined, ok: true, none: null });
    expect(line.split(/\r|\n|\u2028|\u2029|\u0085/)).toHaveLength(1);
    expect(JSON.parse(line)).toEqual({ time: '2026-07-01T02:03:04.005Z', level: 'warn', msg: HOSTILE, api: 'tradify', path: HOSTILE, retry: 2, ok: true, none: null });
  });

  it('keeps time, level and msg when a field has one of those names', () => {
    const entry = JSON.parse(formatEntry('json', AT, 'error', 'boom', { level: 'x', msg: 'y', time: 1 })) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'error', msg: 'boom', time: AT.toISOString(), 'field.level': 'x', 'field.msg': 'y', 'field.time': 1 });
  });

  it('writes pretty as time, level, message and key=value on one line, escaping breaks and terminal codes', () => {
    const line = formatEntry('pretty', AT, 'info', HOSTILE, { runId: 'run_1', path: 'a b', n: 3 });
    expect(line).toBe('2026-07-01T02:03:04.005Z INFO  line one\\nline two\\r\\n\\u001b[31mred\\u2028sep\\u0085end runId=run_1 path="a b" n=3');
    expect([...line].every((c) => c >= ' ' && (c < '\u007f' || c > '\u009f') && c !== '\u2028' && c !== '\u2029')).toBe(true);
  });
});

describe('createLineLogger', () => {
  it('drops entries below its level and writes one newline-terminated line per entry', () => {
    const lines: string[] = [];
    const logger = createLineLogger({ format: 'json', level: 'warn', write: (l) => lines.push(l), now: () => AT.getTime() });
    logger.debug('d');
    logger.info('i');
    logger.warn('w', { code: 'server_error' });
    logger.error('e\nsecond');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(lines.map((l) => (JSON.parse(l) as { level: string }).level)).toEqual(['warn', 'error']);
  });

  it('writes nothing when silent', () => {
    const lines: string[] = [];
    const logger = createLineLogger({ format: 'pretty', level: 'silent', write: (l) => lines.push(l) });
    logger.error('e');
    expect(lines).toEqual([]);
  });
});

describe('defaults', () => {
  it('formats as pretty on a terminal and json otherwise, unless asked', () => {
    expect(logFormatFor(undefined, true)).toBe('pretty');
    expect(logFormatFor(undefined, false)).toBe('json');
    expect(logFormatFor(undefined, undefined)).toBe('json');
    expect(logFormatFor('json', true)).toBe('json');
    expect(logFormatFor('pretty', false)).toBe('pretty');
  });

  it('logs errors only by default, warnings (retries) with -v, info for long-running commands; --log-level wins', () => {
    expect(logLevelFor(undefined, false, false)).toBe('error');
    expect(logLevelFor(undefined, true, false)).toBe('warn');
    expect(logLevelFor(undefined, false, true)).toBe('info');
    expect(logLevelFor(undefined, true, true)).toBe('info');
    expect(logLevelFor('debug', false, false)).toBe('debug');
    expect(logLevelFor('silent', true, true)).toBe('silent');
  });

  it('finds --log-format in raw arguments in both spellings', () => {
    expect(logFormatInArgs(['sync', '--log-format', 'json'])).toBe('json');
    expect(logFormatInArgs(['--log-format=pretty', 'schedule'])).toBe('pretty');
    expect(logFormatInArgs(['sync'])).toBeUndefined();
  });
});
