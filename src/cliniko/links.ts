/**
 * Reading the ids behind Cliniko's links, and ordering Cliniko ids: {@link linkedId} and
 * {@link compareIds} live in `core/ids.ts`, below the mapping that uses them too.
 *
 * @module
 */
export { compareIds, linkedId } from '../core/ids.js';
