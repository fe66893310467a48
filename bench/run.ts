/**
 * Bench dispatcher: `npm run bench -- <scenario> [args…]` runs `bench/scenarios/<scenario>.ts`,
 * prints its table and writes `bench/results/<scenario>.json`.
 *
 * @module
 */
import { readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatTable, writeResult, type BenchScenario } from './lib/report.js';

const scenariosDir = resolve(import.meta.dirname, 'scenarios');

async function available(): Promise<string[]> {
  return (await readdir(scenariosDir)).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();
}

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const names = await available();
  if (!name || !names.includes(name)) {
    console.error(`usage: npm run bench -- <scenario> [args]\nscenarios: ${names.join(', ')}`);
    process.exitCode = 2;
    return;
  }
  const scenario = (await import(pathToFileURL(resolve(scenariosDir, `${name}.ts`)).href)) as BenchScenario;
  const result = await scenario.run(args);
  console.log(formatTable(result));
  console.log(`\nwrote ${await writeResult(result)}`);
  if (result.cases.some((c) => Object.values(c.targets).some((ok) => !ok))) process.exitCode = 1;
}

await main();
