/**
 * The hashing helpers reconciliation still imports from here; they live in `core/hash.ts`.
 *
 * @module
 */
export { emailHash, sha256 } from '../core/hash.js';
