/**
 * Sync every 15 minutes and reconcile nightly at 02:00 Sydney time, writing the HTML and CSV
 * reports. With EXAMPLE_ONCE=1 (what the test uses, and the default against the fakes) it runs
 * one sync and one reconciliation now and exits.
 *
 *   npx tsx examples/reconcile-on-schedule.ts
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStateStore, ReconciliationReport, SyncEngine, createScheduler, writeReportFiles } from 'cliniko-tradify';
import { connect } from './connect.js';

const { cliniko, tradify, usingFakes, close } = await connect();
const store = new MemoryStateStore();
const engine = new SyncEngine({ cliniko, tradify, store, timeZone: 'Australia/Sydney' });
const reports = usingFakes ? mkdtempSync(join(tmpdir(), 'reports-')) : './reports';

// Wrap reconcile() so every scheduled reconciliation also writes its report files.
const scheduler = createScheduler({
  engine: {
    run: (options) => engine.run(options),
    reconcile: async (options) => {
      const report = await engine.reconcile(options);
      if (report instanceof ReconciliationReport) {
        const files = await writeReportFiles(report, { dir: reports, formats: ['html', 'csv'] });
        console.log(`reconciliation: ${report.summary.totalFindings} finding(s) → ${files.join(', ')}`);
      }
      return report;
    },
  },
  sync: '*/15 * * * *',
  reconcile: '0 2 * * *',
  timeZone: 'Australia/Sydney',
  autoStart: !(usingFakes || process.env.EXAMPLE_ONCE === '1'),
});

if (usingFakes || process.env.EXAMPLE_ONCE === '1') {
  console.log('sync:', (await scheduler.runNow('sync')).status);
  console.log('reconcile:', (await scheduler.runNow('reconcile')).status);
  await scheduler.stop();
  await store.close();
  await close();
} else {
  console.log('scheduled; next runs:', scheduler.nextRuns(), '(Ctrl-C stops after the current page)');
}
