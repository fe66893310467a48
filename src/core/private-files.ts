/**
 * Writing files that hold identifiers (reports, audit exports): owner-only (0600) whether the
 * file existed before or not, never through a symbolic link, never into a FIFO, device or
 * directory, and never changing the mode of anything but the regular file about to be written.
 *
 * @module
 */
import { constants, type Stats } from 'node:fs';
import { lstat, mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError } from './errors.js';

/** How {@link writePrivateFile} treats a path that already exists. */
export interface PrivateFileOptions {
  /** The setting that named the path (e.g. `'--out'`), for the error. */
  setting: string;
  /** Replace an existing regular file (its mode becomes 0600); otherwise refuse it. */
  overwrite: boolean;
}

const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;
/** Opening a FIFO that slipped past the checks fails at once instead of waiting for a reader. */
const NO_BLOCK = constants.O_NONBLOCK ?? 0;
/** Open errors that mean the path is wrong, not that the machine is in trouble. */
const PATH_ERRORS = new Set(['EACCES', 'EPERM', 'ENOENT', 'ENOTDIR', 'EISDIR', 'ELOOP', 'EEXIST', 'ENXIO', 'EROFS']);

/** A path as it may appear on one line of an error. */
function shown(path: string): string {
  return JSON.stringify(path);
}

async function lstatOrUndefined(path: string, setting: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw pathError(error, path, 'cannot be read', setting);
  }
}

function pathError(error: unknown, path: string, what: string, setting: string): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === undefined || !PATH_ERRORS.has(code)) return error;
  return new ConfigError(setting, `${setting} ${shown(path)} ${what} (${code}): check the path and its permissions.`);
}

function kindOf(stats: Stats): string {
  if (stats.isSymbolicLink()) return 'a symbolic link (refusing to follow it: give the real path)';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return stats.isFile() ? 'a file' : 'not a regular file';
}

async function requireParentDirectory(path: string, setting: string): Promise<void> {
  const parent = dirname(path);
  const stats = await stat(parent).catch(() => undefined);
  if (!stats?.isDirectory()) throw new ConfigError(setting, `${setting} ${shown(path)}: the folder ${shown(parent)} does not exist; create it first.`);
}

/**
 * Checks, before any work, that `path` can take a file: nothing there yet (in an existing
 * folder), or, with `overwrite`, a regular file.
 *
 * @throws ConfigError naming `setting` for a symbolic link, a FIFO, a device, a directory, a
 *   missing folder, or (without `overwrite`) an existing file.
 */
export async function checkOutputFile(path: string, options: PrivateFileOptions): Promise<void> {
  await inspectOutputFile(path, options);
}

/** {@link checkOutputFile}, returning what is at `path` now (`undefined`: nothing yet). */
async function inspectOutputFile(path: string, options: PrivateFileOptions): Promise<Stats | undefined> {
  const { setting } = options;
  const existing = await lstatOrUndefined(path, setting);
  if (existing === undefined) {
    await requireParentDirectory(path, setting);
    return undefined;
  }
  if (!existing.isFile()) throw new ConfigError(setting, `${setting} ${shown(path)} is ${kindOf(existing)}: give the path of a regular file.`);
  if (!options.overwrite) throw new ConfigError(setting, `${setting} ${shown(path)} already exists: choose a new name or remove it first.`);
  return existing;
}

/**
 * Checks, before any work, that `path` can hold report files: an existing directory (not a
 * symbolic link), or nothing yet in an existing folder.
 *
 * @throws ConfigError naming `setting` otherwise.
 */
export async function checkOutputDirectory(path: string, setting: string): Promise<void> {
  const existing = await lstatOrUndefined(path, setting);
  if (existing === undefined) return requireParentDirectory(path, setting);
  if (!existing.isDirectory()) throw new ConfigError(setting, `${setting} ${shown(path)} is ${kindOf(existing)}: give a directory to write the report files into.`);
}

/**
 * Creates `path` (mode 0700) when missing and checks it is a directory, not a symbolic link.
 *
 * @throws ConfigError naming `setting` when it is anything else.
 */
export async function ensurePrivateDirectory(path: string, setting: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
    throw pathError(error, path, 'cannot be created', setting);
  });
  const stats = await lstatOrUndefined(path, setting);
  if (!stats?.isDirectory()) throw new ConfigError(setting, `${setting} ${shown(path)} is ${stats ? kindOf(stats) : 'missing'}: give a directory to write into.`);
}

/**
 * Writes `content` to `path` with mode 0600. A new file is created exclusively; an existing one
 * (only with `overwrite`) must be a regular file with a single name, and is set to 0600 through
 * its open handle before it is truncated and written. Symbolic links are never followed.
 *
 * @throws ConfigError naming `options.setting` for a path that is not (or may not become) such a file.
 */
export async function writePrivateFile(path: string, content: string, options: PrivateFileOptions): Promise<void> {
  const existing = await inspectOutputFile(path, options);
  const flags = existing ? constants.O_WRONLY | NO_FOLLOW | NO_BLOCK : constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NO_FOLLOW;
  const handle = await open(path, flags, 0o600).catch((error: unknown) => {
    throw pathError(error, path, 'cannot be opened for writing', options.setting);
  });
  try {
    await requireSameRegularFile(handle, existing, path, options.setting);
    await handle.chmod(0o600);
    await handle.truncate(0);
    await handle.writeFile(content, 'utf8');
  } finally {
    await handle.close();
  }
}

/** The opened file must be the regular file that was checked (no swap since), with one name. */
async function requireSameRegularFile(handle: FileHandle, checked: Stats | undefined, path: string, setting: string): Promise<void> {
  const opened = await handle.stat();
  const swapped = checked !== undefined && (opened.ino !== checked.ino || opened.dev !== checked.dev);
  if (!opened.isFile() || swapped) throw new ConfigError(setting, `${setting} ${shown(path)} changed while it was being opened: give the path of a regular file.`);
  if (opened.nlink > 1) throw new ConfigError(setting, `${setting} ${shown(path)} has other hard links: refusing to write through them.`);
}
