import { describe, expect, it } from 'vitest';
import { fingerprint, isLoopbackHost, scrubApiMessage } from '../../src/core/redact.js';

describe('redaction', () => {
  it('keeps useful API messages and scrubs echoed values', () => {
    expect(scrubApiMessage('This column is not searchable.')).toBe('This column is not searchable.');
    expect(scrubApiMessage('Filter value for status must be a number')).toBe('Filter value for status must be a number');
    expect(scrubApiMessage('jane.doe+x@example.com is not valid')).toBe('[redacted] is not valid');
    expect(scrubApiMessage("name 'Jane Citizen' taken")).toBe('name [redacted] taken');
    expect(scrubApiMessage('phone 0412 345 678 invalid')).toBe('phone [redacted] invalid');
    expect(scrubApiMessage('x'.repeat(201))).toBeUndefined();
  });

  it('fingerprints without keeping the secret, and knows loopback hosts', () => {
    const f = fingerprint('cliniko', 'secret-key-au1');
    expect(f).toHaveLength(16);
    expect(f).not.toContain('secret');
    expect(fingerprint('cliniko', 'secret-key-au1')).toBe(f);
    expect(fingerprint('tradify', 'secret-key-au1')).not.toBe(f);
    expect(['localhost', '127.0.0.1', '[::1]', 'a.localhost'].every(isLoopbackHost)).toBe(true);
    expect(['example.com', '10.0.0.1', '127.example.com'].some(isLoopbackHost)).toBe(false);
  });
});
