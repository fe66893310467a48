// Runs the date and mapping tests again under time zones far from Australia, so a bug that
// reads the machine's zone cannot hide behind a CI machine that happens to run in UTC.
import { spawnSync } from 'node:child_process';

const zones = ['America/Los_Angeles', 'Pacific/Chatham'];
const suites = ['test/core/dates.test.ts', 'test/core/time-zone-library.test.ts', 'test/mapping', 'test/worker/schedule.test.ts'];

for (const tz of zones) {
  console.log(`\n=== TZ=${tz}`);
  const result = spawnSync('npx', ['vitest', 'run', ...suites], {
    stdio: 'inherit',
    env: { ...process.env, TZ: tz },
  });
  if (result.status !== 0) {
    console.error(`date tests failed under TZ=${tz}`);
    process.exit(result.status ?? 1);
  }
}
