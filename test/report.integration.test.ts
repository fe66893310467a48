import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReportFiles } from '../src/sync/report/files.js';
import { fixtureReport } from './sync/report-fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

describe('the HTML reconciliation report in real headless Chromium', () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    // fail, never skip, when the program is missing
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    dir = await mkdtemp(join(tmpdir(), 'ct-report-html-'));
  });
  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('renders the summary and the table, filters by kind, and makes no network request', async () => {
    const [path] = await writeReportFiles(fixtureReport(), { dir, formats: ['html'] });
    const page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
    const requests: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(path!).href);

    await expect(page.locator('#headline').textContent()).resolves.toBe('5 records need action');
    expect(await page.locator('#discrepancy-list li').count()).toBe(5);
    expect(await page.locator('#known-summary tbody tr').count()).toBe(2);
    await expect(page.locator('#total-findings').textContent()).resolves.toBe('6');
    expect(await page.locator('#counts tbody tr').count()).toBe(8);
    expect(await page.locator('#money-issue-month tbody tr').count()).toBe(2);
    expect(await page.locator('#findings tbody tr:visible').count()).toBe(6);
    expect(await page.locator('#findings-chart rect[data-kind]').count()).toBeGreaterThan(0);

    await page.selectOption('#kind-filter', 'field-mismatch');
    expect(await page.locator('#findings tbody tr:visible').count()).toBe(3);
    await expect(page.locator('#visible-count').textContent()).resolves.toBe('3');
    const kinds = await page.locator('#findings tbody tr:visible td:first-child').allTextContents();
    expect(kinds).toEqual(['field-mismatch', 'field-mismatch', 'field-mismatch']);

    await page.selectOption('#kind-filter', 'all');
    expect(await page.locator('#findings tbody tr:visible').count()).toBe(6);
    // each discrepancy links to its detail on the page
    await page.click('#discrepancy-list li:nth-child(2) a');
    expect(new URL(page.url()).hash).toBe('#invoice-1390730000000000001');
    await expect(page.locator('#invoice-1390730000000000001 h3').textContent()).resolves.toBe('Invoice 1390730000000000001 (Tradify inv_7)');
    // escaped data stays text: no element was injected
    expect(await page.locator('#findings b').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(1);

    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/reconciliation-report.png', fullPage: true });
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
