/**
 * The hashing helpers live in `core/hash.ts`; this re-export stays only until reconciliation
 * imports them from there.
 *
 * @module
 */
export { emailHash, sha256 } from '../core/hash.js';
