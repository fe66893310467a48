#!/usr/bin/env bash
# Pack the library, install the tarball in an empty project WITHOUT optional dependencies or
# optional peers (no better-sqlite3, msw, pg, pg-boss, nodemailer), and import the public entry points.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

tarball=$(cd "$root" && npm pack --silent --pack-destination "$work" | tail -n 1)
cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --omit=optional --omit=dev "./${tarball}" >/dev/null

for absent in msw pg pg-boss better-sqlite3 nodemailer vitest; do
  if [ -d "node_modules/${absent}" ]; then
    echo "smoke: ${absent} was installed, but the smoke test must run without it" >&2
    exit 1
  fi
done

node --input-type=module -e "
const main = await import('cliniko-tradify');
const testing = await import('cliniko-tradify/testing');
const email = await import('cliniko-tradify/email');
if (typeof email.EmailAlerter !== 'function') throw new Error('cliniko-tradify/email does not export EmailAlerter');
for (const name of ['ClinikoClient', 'HttpTradifyClient', 'SyncEngine', 'MemoryStateStore', 'ConsoleAlerter', 'VERSION']) {
  if (!(name in main)) throw new Error('cliniko-tradify does not export ' + name);
}
for (const name of ['startFakeCliniko', 'startFakeTradify', 'runStateStoreConformance', 'runTradifyPortConformance']) {
  if (!(name in testing)) throw new Error('cliniko-tradify/testing does not export ' + name);
}
const fc = await testing.startFakeCliniko({ patients: 3, invoices: 3, seed: 1 });
const client = new main.ClinikoClient({ apiKey: fc.apiKey, userAgent: 'Smoke Test (ci@example.com)', baseUrl: fc.url });
let n = 0;
for await (const _p of client.patients.list()) n++;
await fc.close();
if (n < 1) throw new Error('no patients listed through the packed client');
console.log('smoke: imported ., ./testing and ./email from the packed tarball and listed ' + n + ' patients; version ' + main.VERSION);
"
