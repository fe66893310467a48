/**
 * Checks on the SQLite state file and the side files SQLite keeps next to it, made before the
 * store opens, creates or changes any of them: each must be a regular file or absent, and a
 * symbolic link is refused rather than followed (it could lead to a device or to another
 * program's file). Only a checked regular file is ever made 0600.
 *
 * @internal
 * @module
 */

import { closeSync, constants, fchmodSync, fstatSync, lstatSync, openSync, type Stats } from 'node:fs';
import { ConfigError, isConfigError } from '../core/errors.js';

/** The files SQLite keeps beside the database; they hold its data too. */
const SIDE_FILE_SUFFIXES = ['-wal', '-shm', '-journal'] as const;

const SIDE_FILE = "The state file's side file";

/** `O_NOFOLLOW` where the platform has it. */
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

const errnoOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? 'error';

/** The error for a state path this store will not use; nothing has been touched when it is thrown. */
export function refuseStatePath(path: string, problem: string, what = 'The state file'): ConfigError {
  return new ConfigError(
    'path',
    `${what} ${path} ${problem}; nothing was changed. Point the store at a regular file, or at a path that does not exist yet, that only cliniko-tradify uses.`,
  );
}

function describeKind(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * @returns whether a regular file is at `path`.
 * @throws ConfigError when something else is there, a symbolic link included.
 */
function isRegularFile(path: string, what?: string): boolean {
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return false;
    throw refuseStatePath(path, `cannot be checked (${errnoOf(error)})`, what);
  }
  if (stats.isSymbolicLink()) throw refuseStatePath(path, 'is a symbolic link', what);
  if (!stats.isFile()) throw refuseStatePath(path, `is not a regular file (it is ${describeKind(stats)})`, what);
  return true;
}

/**
 * Check the state file and its side files, and create the state file with mode 0600 when it is
 * absent (never through a symbolic link, never over a file made in the meantime).
 *
 * @throws ConfigError when one of them is not a regular file, or the file cannot be created.
 */
export function checkStateFile(path: string): void {
  for (const suffix of SIDE_FILE_SUFFIXES) isRegularFile(path + suffix, SIDE_FILE);
  if (isRegularFile(path)) return;
  try {
    closeSync(openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NO_FOLLOW, 0o600));
  } catch (error) {
    if (errnoOf(error) === 'EEXIST' && isRegularFile(path)) return;
    throw refuseStatePath(path, `cannot be created (${errnoOf(error)})`);
  }
}

/**
 * Make the state file and its side files 0600, each through a descriptor opened without
 * following a symbolic link, and only when that descriptor is a regular file. Call it after
 * {@link checkStateFile} and the schema check, before anything is written.
 *
 * @throws ConfigError when one of them changed kind since the check, or its mode cannot be set.
 */
export function makeStateFilesPrivate(path: string): void {
  for (const suffix of SIDE_FILE_SUFFIXES) makePrivate(path + suffix, SIDE_FILE);
  makePrivate(path);
}

function makePrivate(file: string, what?: string): void {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | NO_FOLLOW);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return;
    throw refuseStatePath(file, errnoOf(error) === 'ELOOP' ? 'is a symbolic link' : `cannot be opened (${errnoOf(error)})`, what);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw refuseStatePath(file, `is not a regular file (it is ${describeKind(stats)})`, what);
    if ((stats.mode & 0o777) !== 0o600) fchmodSync(fd, 0o600);
  } catch (error) {
    throw isConfigError(error) ? error : refuseStatePath(file, `cannot be made private, mode 0600 (${errnoOf(error)})`, what);
  } finally {
    closeSync(fd);
  }
}
