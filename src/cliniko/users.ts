/**
 * `cliniko.users`: read-only. Users cannot be filtered by email; list and match client-side.
 *
 * @module
 */
import type { ClinikoList } from './listing.js';
import { clinikoUserSchema, type ClinikoUser } from './schemas/user.js';
import { assertClinikoId, type ClinikoTransport, type ListParams, type RequestOptions } from './transport.js';

/** The users resource. Reach it as `cliniko.users`. */
export class Users {
  readonly #t: ClinikoTransport;

  /** @internal */
  constructor(transport: ClinikoTransport) {
    this.#t = transport;
  }

  /** List users, following `links.next`. */
  list(params?: ListParams<'users'>): ClinikoList<ClinikoUser> {
    return this.#t.list('users', clinikoUserSchema, [{ path: '/users', query: this.#t.listQuery('users', params, []) }], params);
  }

  /** Fetch one user. @throws {@link NotFoundError} */
  retrieve(id: string, options?: RequestOptions): Promise<ClinikoUser> {
    return this.#t.get(`/users/${assertClinikoId(id)}`, clinikoUserSchema, [], options);
  }

  /** The user who owns the API key (`GET /user`): a cheap credential check. */
  current(options?: RequestOptions): Promise<ClinikoUser> {
    return this.#t.get('/user', clinikoUserSchema, [], options);
  }
}
