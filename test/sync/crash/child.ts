/**
 * Crash-test child: one sync against the parent's fakes, on a SQLite state file.
 * argv: <clinikoUrl> <clinikoKey> <tradifyUrl> <tradifyKey> <dbPath> [killInCommit=<n>:<before|after>]
 * The parent SIGKILLs this process after the fake Tradify's k-th write; with `killInCommit`
 * the child kills itself just before or just after its n-th commitPage.
 */
import { ClinikoClient } from '../../../src/cliniko/client.js';
import { HttpTradifyClient } from '../../../src/tradify/http-client.js';
import { SqliteStateStore } from '../../../src/stores/sqlite.js';
import { SyncEngine } from '../../../src/sync/engine.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { StateStore } from '../../../src/sync/ports.js';

const [clinikoUrl, clinikoKey, tradifyUrl, tradifyKey, dbPath, killSpec] = process.argv.slice(2);

function withKillInCommit(store: StateStore, spec: string | undefined): StateStore {
  if (!spec) return store;
  const [nText, when] = spec.split(':');
  const n = Number(nText);
  let commits = 0;
  const commitPage: StateStore['commitPage'] = async (accountId, token, page, options) => {
    commits++;
    if (commits === n && when === 'before') process.kill(process.pid, 'SIGKILL');
    await store.commitPage(accountId, token, page, options);
    if (commits === n && when === 'after') process.kill(process.pid, 'SIGKILL');
  };
  return new Proxy(store, {
    get: (target, key) => {
      if (key === 'commitPage') return commitPage;
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const cliniko = new ClinikoClient({ apiKey: clinikoKey!, userAgent: 'Crash test (crash@example.com)', baseUrl: clinikoUrl, requestsPerMinute: 600_000, logger: silentLogger });
const tradify = new HttpTradifyClient({ apiKey: tradifyKey!, baseUrl: tradifyUrl!, requestsPerMinute: 600_000, logger: silentLogger });
const store = withKillInCommit(new SqliteStateStore({ path: dbPath! }), killSpec);
const engine = new SyncEngine({ cliniko, tradify, store, logger: silentLogger, alerter: { notify: async () => undefined }, mapping: { approval: { when: 'immediately' } } });
const summary = await engine.run();
process.stdout.write(`${JSON.stringify({ created: summary.created, updated: summary.updated, outcome: summary.outcome })}\n`);
await store.close();
