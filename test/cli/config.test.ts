import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isConfigError } from 'cliniko-tradify';
import { loadCliConfig, requireApiSettings } from '../../src/cli/config.js';
import { tempDir } from './helpers.js';

const FULL_ENV = {
  CLINIKO_API_KEY: 'MS0xLWFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6-au2',
  CLINIKO_USER_AGENT: 'Acme Sync (it@acme.example)',
  TRADIFY_API_KEY: 'tradify-secret-key',
  TRADIFY_BASE_URL: 'https://tradify-gateway.example/v1',
};

async function configError(promise: Promise<unknown>): Promise<{ setting: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isConfigError(error)) return { setting: error.setting, message: error.message };
    throw error;
  }
  throw new Error('expected a ConfigError');
}

function writeConfig(name: string, body: string): string {
  const dir = tempDir('ct-config-');
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
}

describe('loadCliConfig', () => {
  it('fills the documented defaults when only the environment is set', async () => {
    const config = await loadCliConfig({ env: FULL_ENV, cwd: '/srv/clinic' });
    expect(config.dbPath).toBe('/srv/clinic/cliniko-tradify.db');
    expect(config.timeZone).toBe('Australia/Sydney');
    expect(config.accountId).toBe('default');
    expect(config.cliniko.requestsPerMinute).toBe(190);
    expect(config.tradify.requestsPerMinute).toBe(95);
    expect(requireApiSettings(config).tradify.baseUrl).toBe('https://tradify-gateway.example/v1');
  });

  it('lets the environment win over the file, and reads mapping callbacks from an .mjs file', async () => {
    const path = writeConfig('c.mjs', `export default { timeZone: 'Australia/Perth', db: './x.db', cliniko: { requestsPerMinute: 50 }, mapping: { filterPatient: (p) => p.id !== '1' } };`);
    const config = await loadCliConfig({ env: { ...FULL_ENV, CLINIKO_TRADIFY_TIME_ZONE: 'Australia/Darwin' }, configPath: path, cwd: '/w' });
    expect(config.timeZone).toBe('Australia/Darwin');
    expect(config.dbPath).toBe('/w/x.db');
    expect(config.cliniko.requestsPerMinute).toBe(50);
    expect(config.mapping.filterPatient?.({ id: '1' } as never, {} as never)).toBe(false);
  });

  it('names each missing variable and how to set it', async () => {
    for (const name of Object.keys(FULL_ENV)) {
      const env: Record<string, string> = { ...FULL_ENV };
      delete env[name];
      const config = await loadCliConfig({ env });
      const error = await configError(Promise.resolve().then(() => requireApiSettings(config)));
      expect(error.setting).toBe(name);
      expect(error.message).toContain(`export ${name}=`);
    }
  });

  it('refuses a key in a config file without echoing it', async () => {
    const path = writeConfig('c.json', JSON.stringify({ tradify: { apiKey: 'canary-key-123' } }));
    const error = await configError(loadCliConfig({ env: FULL_ENV, configPath: path }));
    expect(error.setting).toBe('tradify.apiKey');
    expect(error.message).toContain('TRADIFY_API_KEY');
    expect(error.message).not.toContain('canary-key-123');
  });

  it('refuses a webhook URL in a config file (it is a secret)', async () => {
    const path = writeConfig('c.json', JSON.stringify({ mapping: {}, alerts: { webhookUrl: 'https://hooks.example/abc' } }));
    const error = await configError(loadCliConfig({ env: FULL_ENV, configPath: path }));
    expect(error.message).toContain('CLINIKO_TRADIFY_WEBHOOK_URL');
  });

  it('rejects malformed and unknown settings with the fix', async () => {
    expect((await configError(loadCliConfig({ env: { CLINIKO_REQUESTS_PER_MINUTE: 'fast' } }))).setting).toBe('CLINIKO_REQUESTS_PER_MINUTE');
    expect((await configError(loadCliConfig({ env: { CLINIKO_TRADIFY_TIME_ZONE: 'Sydney' } }))).message).toContain('IANA');
    expect((await configError(loadCliConfig({ env: { CLINIKO_TRADIFY_ACCOUNT: 'a b' } }))).setting).toBe('CLINIKO_TRADIFY_ACCOUNT');
    const unknown = writeConfig('c.json', JSON.stringify({ timezone: 'Australia/Perth' }));
    expect((await configError(loadCliConfig({ env: {}, configPath: unknown }))).message).toContain('unknown option `timezone`; did you mean `timeZone`?');
    const broken = writeConfig('c.json', '{ "timeZone": ');
    expect((await configError(loadCliConfig({ env: {}, configPath: broken }))).message).toContain('not valid JSON');
    const ts = writeConfig('c.ts', 'export default {}');
    expect((await configError(loadCliConfig({ env: {}, configPath: ts }))).message).toContain('.mjs');
    expect((await configError(loadCliConfig({ env: {}, configPath: '/nope/missing.json' }))).message).toContain('does not exist');
  });

  it('names an unknown key anywhere in the file, the mapping included, with the nearest valid one', async () => {
    const cases: Array<[unknown, string, string]> = [
      [{ mapping: { aproval: { when: 'never' } } }, 'mapping.aproval', 'approval'],
      [{ mapping: { rounding: { alowRoundingLine: true } } }, 'mapping.rounding.alowRoundingLine', 'allowRoundingLine'],
      [{ tradify: { pagesize: 50 } }, 'tradify.pagesize', 'pageSize'],
      [{ schedule: { reconcil: null } }, 'schedule.reconcil', 'reconcile'],
    ];
    for (const [body, setting, near] of cases) {
      const path = writeConfig('c.json', JSON.stringify(body));
      const error = await configError(loadCliConfig({ env: {}, configPath: path }));
      expect(error).toEqual({ setting, message: `Config file ${path}: unknown option \`${setting}\`; did you mean \`${near}\`?` });
    }
    const dataTables = writeConfig('c.json', JSON.stringify({ mapping: { statusTable: { '40': 'skip' }, taxTable: [{ clinikoName: 'GST', tradifyTaxRateId: 'tax_gst' }] } }));
    expect((await loadCliConfig({ env: {}, configPath: dataTables })).mapping.statusTable).toEqual({ '40': 'skip' });
  });

  it('shows neither the text around a JSON syntax error nor a throwing module’s message (either may be a secret)', async () => {
    const json = writeConfig('c.json', '{ "tradify": { "baseUrl": canary-secret-json } }');
    const jsonError = await configError(loadCliConfig({ env: {}, configPath: json }));
    expect(jsonError.message).toBe(`Config file ${json} is not valid JSON: fix the syntax.`);
    const module = writeConfig('c.mjs', `const token = 'canary-secret-mjs'; throw new RangeError('vault refused ' + token);`);
    const moduleError = await configError(loadCliConfig({ env: {}, configPath: module }));
    expect(moduleError).toEqual({ setting: 'config', message: `could not load config file ${module}: RangeError` });
    const syntax = writeConfig('c.mjs', `export default { apiKey: 'canary-secret-syntax' ;`);
    // Node names it SyntaxError; under the test runner's module loader it is a plain Error.
    expect((await configError(loadCliConfig({ env: {}, configPath: syntax }))).message).toMatch(new RegExp(`^could not load config file ${syntax}: (Syntax)?Error$`));
  });

  it('takes keys from a resolveApiKeys function when the environment has none', async () => {
    const path = writeConfig('c.mjs', `export default { resolveApiKeys: async () => ({ cliniko: 'from-vault-au1', tradify: 'tv' }) };`);
    const config = await loadCliConfig({ env: { CLINIKO_USER_AGENT: 'A (a@b.co)', TRADIFY_BASE_URL: 'https://t.example/v1' }, configPath: path });
    expect(requireApiSettings(config).cliniko.apiKey).toBe('from-vault-au1');
    expect(requireApiSettings(config).tradify.apiKey).toBe('tv');
  });
});
