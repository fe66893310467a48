import { http as mswHttp, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ClinikoFilter, ConfigError } from 'cliniko-tradify';
import { compileFilters } from '../../src/cliniko/filters.js';
import { BASE, envelope, makeClient } from './helpers.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe('typed q[] filters', () => {
  it('compiles each field type with its operators', () => {
    expect(
      compileFilters('patients', [
        ['updated_at', '>=', new Date('2026-03-01T10:00:00.999Z')],
        ['archived_at', '*'],
        ['date_of_birth', '=', '****-05-**'],
        ['email', '=', 'jo+physio@example.com'],
        ['last_name', '~~', 'ja%on%'],
        ['accepted_privacy_policy', '=', true],
        ['id', '>', '9007199254740993123'],
        ['preferred_first_name', '!?'],
      ]),
    ).toEqual([
      'updated_at:>=2026-03-01T10:00:00Z',
      'archived_at:*',
      'date_of_birth:=****-05-**',
      'email:=jo+physio@example.com',
      'last_name:~~ja%on%',
      'accepted_privacy_policy:=true',
      'id:>9007199254740993123',
      'preferred_first_name:!?',
    ]);
    expect(compileFilters('invoices', [['patient_id', '=', ['1', 2n, 3]]])).toEqual(['patient_id:=1,2,3']);
  });

  it('rejects misuse at compile time (type errors) and at run time (ConfigError naming the field, not the value)', () => {
    // @ts-expect-error phone is not filterable on /patients
    const notWhitelisted: ClinikoFilter<'patients'> = ['phone', '=', '0412'];
    // @ts-expect-error DateTime has no = operator
    const noEquals: ClinikoFilter<'patients'> = ['updated_at', '=', '2026-01-01T00:00:00Z'];
    // @ts-expect-error users cannot be filtered by email
    const userEmail: ClinikoFilter<'users'> = ['email', '=', 'a@b.co'];
    // @ts-expect-error a boolean field takes a boolean
    const boolAsText: ClinikoFilter<'patients'> = ['accepted_privacy_policy', '=', 'yes'];
    for (const [endpoint, f] of [
      ['patients', notWhitelisted],
      ['patients', noEquals],
      ['users', userEmail],
      ['patients', boolAsText],
    ] as const) {
      expect(() => compileFilters(endpoint, [f as never])).toThrow(ConfigError);
    }
    const err = (() => {
      try {
        compileFilters('patients', [['email', '>', 'secret@canary.example'] as never]);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toContain('email');
    expect(err?.message).not.toContain('secret@canary.example');
    expect(() => compileFilters('invoices', [['patient_id', '=', Number('1390710863102485699')]])).toThrow(ConfigError);
    expect(() => compileFilters('invoices', [['patient_id', '>', ['1', '2']]])).toThrow(ConfigError);
  });

  it('encodes + as %2B and % as %25 on the wire, and rejects a non-whitelisted filter before any request', async () => {
    let raw = '';
    server.use(mswHttp.get(`${BASE}/patients`, ({ request }) => ((raw = request.url), HttpResponse.json(envelope('patients', [])))));
    const c = makeClient();
    await c.patients.list({ filters: [['email', '=', 'jo+physio@example.com'], ['last_name', '~~', 'ja%on%']] }).toArray();
    expect(raw).toContain('q%5B%5D=email%3A%3Djo%2Bphysio%40example.com');
    expect(raw).toContain('q%5B%5D=last_name%3A~~ja%25on%25');
    expect(new URL(raw).searchParams.getAll('q[]')).toEqual(['email:=jo+physio@example.com', 'last_name:~~ja%on%']);
    raw = '';
    expect(() => c.patients.list({ filters: [['phone' as 'email', '=', '1']] })).toThrow(ConfigError);
    expect(raw).toBe('');
  });
});
