import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './helpers.js';

let h: Harness | undefined;
const warnings: Error[] = [];
const onWarning = (warning: Error): void => void warnings.push(warning);
afterEach(async () => {
  process.off('warning', onWarning);
  warnings.length = 0;
  await h?.close();
  h = undefined;
});

describe('SyncEngine: the caller’s signal', () => {
  it('many records in flight on one caller signal raise no MaxListenersExceededWarning', async () => {
    h = await startHarness({ cliniko: { patients: 80, invoices: 0 }, tradify: { latencyMs: 25 } });
    process.on('warning', onWarning);
    const controller = new AbortController();
    const summary = await h.engine.run({ signal: controller.signal });
    expect(summary.created).toBe(80);
    // Node emits the warning asynchronously; let it arrive before looking.
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message)).toEqual([]);
  });

  it('aborting the caller’s signal still stops the run with an AbortError', async () => {
    h = await startHarness({ cliniko: { patients: 80, invoices: 0 }, tradify: { latencyMs: 25 } });
    const controller = new AbortController();
    h.engine.on('recordWritten', () => controller.abort());
    await expect(h.engine.run({ signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(h.ft.state.customers.size).toBeLessThan(80);
  });
});
