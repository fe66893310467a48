#!/usr/bin/env node
/**
 * The `cliniko-tradify` executable. Ctrl-C (SIGINT) or SIGTERM aborts the running command,
 * which stops after the current page and keeps its checkpoint (exit 130); a second Ctrl-C
 * exits at once. Whatever happens, each line on stderr is one entry of the log format: even an
 * unexpected crash is one line, not a stack trace.
 *
 * @module
 */
import { runCli } from './program.js';
import { processIo } from './output.js';
import { errorLine, EXIT } from './exit-codes.js';
import { formatEntry, logFormatFor, logFormatInArgs, oneLine, type EntryLevel } from './logging.js';

const json = logFormatFor(logFormatInArgs(process.argv.slice(2)), process.stderr.isTTY) === 'json';
const entry = (level: EntryLevel, text: string): string => (json ? formatEntry('json', new Date(), level, text) : oneLine(text));

const controller = new AbortController();
const stop = (): void => {
  if (controller.signal.aborted) process.exit(EXIT.interrupted);
  // pretty: the newline first ends a progress line being redrawn
  process.stderr.write(`${json ? '' : '\n'}${entry('info', 'cliniko-tradify: stopping after the current page (Ctrl-C again to quit at once)…')}\n`);
  controller.abort();
};
const crash = (error: unknown): void => {
  process.stderr.write(`${entry('error', `cliniko-tradify: ${errorLine(error)}`)}\n`);
  process.exit(EXIT.failed);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

const exitCode = await runCli(process.argv.slice(2), processIo(), controller.signal);
// Exit once stdout has drained: idle keep-alive sockets must not hold the process open.
process.stdout.write('', () => process.exit(exitCode));
