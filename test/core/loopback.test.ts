import { describe, expect, it } from 'vitest';
import { createHttpClient } from 'cliniko-tradify/http';
import { ClinikoClient, HttpTradifyClient, WebhookAlerter, ConfigError, isConfigError } from 'cliniko-tradify';
import { assertSafeBaseUrl } from '../../src/core/http.js';
import { isLoopbackHost } from '../../src/core/redact.js';
import { USER_AGENT, uniqueKey } from '../cliniko/helpers.js';

const hostOf = (url: string) => new URL(url).hostname;

describe('isLoopbackHost: an IP literal parsed as such, or exactly localhost', () => {
  it.each(['http://localhost/', 'http://LOCALHOST:8080/', 'http://127.0.0.1/', 'http://127.255.3.4/', 'http://[::1]:9/', 'http://[0:0:0:0:0:0:0:1]/', 'http://127.1/', 'http://0x7f000001/'])('%s is loopback', (url) => {
    expect(isLoopbackHost(hostOf(url))).toBe(true);
  });

  it.each([
    'http://127.evil.example/',
    'http://127.0.0.1.nip.io/',
    'http://127.0.0.1.evil.example/',
    'http://localhost.evil.example/',
    'http://a.localhost/',
    'http://128.0.0.1/',
    'http://10.0.0.1/',
    'http://[::2]/',
    'http://[::ffff:10.0.0.1]/',
    'http://example.com/',
  ])('%s is not', (url) => {
    expect(isLoopbackHost(hostOf(url))).toBe(false);
  });

  it('takes raw host strings too (bracketed IPv6, no URL parsing)', () => {
    expect(['::1', '[::1]', '127.0.0.1', 'localhost'].every(isLoopbackHost)).toBe(true);
    expect(['127.', '127.0.0', '127.evil', '127.0.0.1 ', ''].some(isLoopbackHost)).toBe(false);
  });
});

describe('plain http: is refused off loopback everywhere', () => {
  const bad = 'http://127.evil.example/v1';

  it('in the HTTP core, ClinikoClient and HttpTradifyClient', () => {
    expect(() => assertSafeBaseUrl(bad)).toThrow(ConfigError);
    expect(() => new ClinikoClient({ apiKey: uniqueKey(), userAgent: USER_AGENT, baseUrl: bad })).toThrow(ConfigError);
    expect(() => new HttpTradifyClient({ apiKey: 'k', baseUrl: bad })).toThrow(ConfigError);
  });

  it('in the webhook alerter', () => {
    expect(() => new WebhookAlerter({ url: 'http://127.evil.example/hook' })).toThrow(ConfigError);
    expect(() => new WebhookAlerter({ url: 'http://localhost.evil.example/hook' })).toThrow(ConfigError);
    expect(() => new WebhookAlerter({ url: 'http://127.0.0.2:9/hook' })).not.toThrow();
    expect(() => new WebhookAlerter({ url: 'http://[::1]:9/hook' })).not.toThrow();
  });
});

describe('credentials in a base URL are refused, never shown', () => {
  const withPassword = 'https://user:PW-canary@api.au1.cliniko.com/v1';

  function refusal(build: () => unknown): ConfigError {
    try {
      build();
    } catch (error) {
      expect(isConfigError(error)).toBe(true);
      return error as ConfigError;
    }
    return expect.fail('expected a ConfigError');
  }

  it('by ClinikoClient, naming baseUrl and not the password', () => {
    const error = refusal(() => new ClinikoClient({ apiKey: uniqueKey(), userAgent: USER_AGENT, baseUrl: withPassword }));
    expect(error.setting).toBe('baseUrl');
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain('PW-canary');
    expect(refusal(() => new ClinikoClient({ apiKey: uniqueKey(), userAgent: USER_AGENT, baseUrl: 'https://user-only@api.au1.cliniko.com/v1' })).setting).toBe('baseUrl');
  });

  it('by an HttpClient built directly, and a query string (which could hold a token) too', () => {
    const make = (baseUrl: string) => () => createHttpClient({ api: 'cliniko', baseUrl, headers: {}, limiterKey: uniqueKey(), requestsPerMinute: 60 });
    expect(refusal(make(withPassword)).message).not.toContain('PW-canary');
    expect(refusal(make('https://api.au1.cliniko.com/v1?api_key=Q-canary')).message).not.toContain('Q-canary');
  });
});
