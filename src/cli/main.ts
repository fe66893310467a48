#!/usr/bin/env node
/**
 * The `cliniko-tradify` executable. Ctrl-C (SIGINT) or SIGTERM aborts the running command,
 * which stops after the current page and keeps its checkpoint (exit 130); a second Ctrl-C
 * exits at once.
 *
 * @module
 */
import { runCli } from './program.js';
import { processIo } from './output.js';
import { EXIT } from './exit-codes.js';
import { formatEntry, logFormatFor, logFormatInArgs } from './logging.js';

const controller = new AbortController();
const STOPPING = 'cliniko-tradify: stopping after the current page (Ctrl-C again to quit at once)…';
const stop = (): void => {
  if (controller.signal.aborted) process.exit(EXIT.interrupted);
  const json = logFormatFor(logFormatInArgs(process.argv.slice(2)), process.stderr.isTTY) === 'json';
  // pretty: the newline first ends a progress line being redrawn
  process.stderr.write(json ? `${formatEntry('json', new Date(), 'info', STOPPING)}\n` : `\n${STOPPING}\n`);
  controller.abort();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

const exitCode = await runCli(process.argv.slice(2), processIo(), controller.signal);
// Exit once stdout has drained: idle keep-alive sockets must not hold the process open.
process.stdout.write('', () => process.exit(exitCode));
