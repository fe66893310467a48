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
const mapping = await import('cliniko-tradify/mapping');
const cliniko = await import('cliniko-tradify/cliniko');
const http = await import('cliniko-tradify/http');
const email = await import('cliniko-tradify/email');
const testing = await import('cliniko-tradify/testing');
const expected = {
  'cliniko-tradify': [main, ['ClinikoClient', 'HttpTradifyClient', 'SyncEngine', 'MemoryStateStore', 'ConsoleAlerter', 'createScheduler', 'isTransientError', 'VERSION']],
  'cliniko-tradify/mapping': [mapping, ['mapPatientToCustomer', 'mapInvoice', 'planInvoiceActions', 'resolveMappingConfig', 'createMappingContext']],
  'cliniko-tradify/cliniko': [cliniko, ['clinikoPatientSchema', 'clinikoInvoiceSchema', 'linkedId']],
  'cliniko-tradify/http': [http, ['createHttpClient', 'HttpClient', 'RETRY_DEFAULTS']],
  'cliniko-tradify/email': [email, ['EmailAlerter']],
  'cliniko-tradify/testing': [testing, ['startFakeCliniko', 'startFakeTradify', 'runStateStoreConformance', 'runTradifyPortConformance']],
};
// Plumbing no user should call: exported from no entry point.
const internal = ['RequestLimiter', 'sharedLimiter', 'backoffDelayMs', 'isRetryableMethod', 'encodeQuery', 'assertSafeBaseUrl', 'compileFilters', 'compareIds', 'liveItems', 'computeLineAmounts', 'cutToLength', 'idempotencyKey', 'alertFingerprint'];
for (const [entry, [module, names]] of Object.entries(expected)) {
  for (const name of names) if (!(name in module)) throw new Error(entry + ' does not export ' + name);
  for (const name of internal) if (name in module) throw new Error(entry + ' exports the internal ' + name);
}
const rootValues = Object.keys(main).length;
if (rootValues > 60) throw new Error('cliniko-tradify exports ' + rootValues + ' values; the limit is 60');

const fc = await testing.startFakeCliniko({ patients: 3, invoices: 3, seed: 1 });
const client = new main.ClinikoClient({ apiKey: fc.apiKey, userAgent: 'Smoke Test (ci@example.com)', baseUrl: fc.url });
let n = 0;
for await (const _p of client.patients.list()) n++;
if (n < 1) throw new Error('no patients listed through the packed client');

// ./http reads a raw page, ./cliniko normalises a row, ./mapping maps it.
const raw = http.createHttpClient({
  api: 'cliniko', baseUrl: fc.url, limiterKey: fc.apiKey, requestsPerMinute: 100,
  headers: { Authorization: 'Basic ' + Buffer.from(fc.apiKey + ':').toString('base64'), Accept: 'application/json', 'User-Agent': 'Smoke Test (ci@example.com)' },
});
const { data } = await raw.request({ method: 'GET', path: '/patients', query: [['per_page', '1']] });
const patient = cliniko.clinikoPatientSchema.parse(data.patients[0]);
const mapped = mapping.mapPatientToCustomer(patient, mapping.resolveMappingConfig(), mapping.createMappingContext({ now: Date.now() }));
await fc.close();
if (mapped.status !== 'mapped' || mapped.draft.externalReference !== mapping.patientExternalReference(patient.id)) {
  throw new Error('the packed mapping did not map a patient read through the packed HTTP client');
}
console.log('smoke: imported ., ./mapping, ./cliniko, ./http, ./email and ./testing from the packed tarball (root: ' + rootValues + ' values); listed ' + n + ' patients, mapped one; version ' + main.VERSION);
"
