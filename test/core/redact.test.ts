import { describe, expect, it } from 'vitest';
import { fingerprint, isLoopbackHost } from '../../src/core/redact.js';

describe('redaction', () => {
  it('fingerprints without keeping the secret, and knows loopback hosts', () => {
    const f = fingerprint('cliniko', 'secret-key-au1');
    expect(f).toHaveLength(16);
    expect(f).not.toContain('secret');
    expect(fingerprint('cliniko', 'secret-key-au1')).toBe(f);
    expect(fingerprint('tradify', 'secret-key-au1')).not.toBe(f);
    expect(['localhost', '127.0.0.1', '[::1]'].every(isLoopbackHost)).toBe(true);
    expect(['example.com', '10.0.0.1', '127.example.com', 'a.localhost'].some(isLoopbackHost)).toBe(false);
  });
});
