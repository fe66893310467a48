/**
 * `npm run demo`: the whole walk-through against the built-in fakes (the same code as
 * `cliniko-tradify demo`). Sizes can be changed with DEMO_PATIENTS / DEMO_INVOICES.
 */
import { runDemo } from '../src/cli/demo.js';

const result = await runDemo({
  patients: Number(process.env.DEMO_PATIENTS ?? 2000),
  invoices: Number(process.env.DEMO_INVOICES ?? 4000),
  progress: process.stderr.isTTY ? 'tty' : 'plain',
});
process.exitCode = result.plantedFound ? 0 : 1;
