/**
 * A throwaway PostgreSQL cluster for the integration suites and the workers bench.
 *
 * `initdb`s a cluster in a temporary directory (as the `postgres` user when running as root:
 * `initdb` refuses root), starts it on a free loopback port with its socket in that directory,
 * creates one database, and stops and removes it on {@link PgCluster.stop}. It FAILS, never
 * skips, when the PostgreSQL server binaries are missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running temporary cluster. */
export interface PgCluster {
  /** `postgres://postgres@127.0.0.1:<port>/<database>` (trust auth, loopback only). */
  url: string;
  /** Stops the server at once and removes its directory. */
  stop(): void;
}

const INSTALL_HINT =
  'PostgreSQL server binaries (initdb, pg_ctl) were not found. Install them (Debian: `apt-get update && apt-get install -y postgresql`) ' +
  'or set CT_PG_BIN to the directory holding initdb; the integration suite needs a real PostgreSQL and does not skip.';

/** The directory holding `initdb` and `pg_ctl`: CT_PG_BIN, else the newest /usr/lib/postgresql/<n>/bin, else PATH. */
function findPgBin(): string {
  const candidates: string[] = [];
  if (process.env.CT_PG_BIN) candidates.push(process.env.CT_PG_BIN);
  if (existsSync('/usr/lib/postgresql')) {
    const versions = readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
  }
  for (const dir of candidates) if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const onPath = which.stdout.trim();
  if (which.status === 0 && onPath) return onPath.replace(/\/initdb$/, '');
  throw new Error(INSTALL_HINT);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Run a PostgreSQL tool, as the `postgres` user when we are root. */
function runPg(bin: string, tool: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args];
  execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

/** A temporary directory the `postgres` user owns when we are root. */
function clusterDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ct-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  return dir;
}

/**
 * Start a temporary cluster with one database (durability off: it is thrown away).
 *
 * @throws Error naming the install step when the binaries are missing, or the tool's stderr.
 */
export async function startPgCluster(database = 'cliniko_tradify_test'): Promise<PgCluster> {
  const bin = findPgBin();
  const dir = clusterDir();
  const data = join(dir, 'data');
  const port = await freePort();
  try {
    runPg(bin, 'initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync']);
    const serverOptions = `-p ${port} -k ${dir} -h 127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
    runPg(bin, 'pg_ctl', ['-D', data, '-o', serverOptions, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
    runPg(bin, 'createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', database]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`Could not start a temporary PostgreSQL cluster with ${bin}: ${(error as { stderr?: Buffer }).stderr?.toString() ?? String(error)}`);
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/${database}`,
    stop: () => {
      try {
        runPg(bin, 'pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
