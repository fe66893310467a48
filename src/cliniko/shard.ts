/**
 * Cliniko shards: the key's suffix after the last `-` names the shard (`docs/cliniko-api-notes.md#shards-and-base-url`).
 *
 * @module
 */

const SHARD_PATTERN = /^[a-z]{2}\d{1,2}$/i;

/** The shard of a key with no suffix (keys older than sharding). */
const DEFAULT_CLINIKO_SHARD = 'au1';

/**
 * The shard an API key lives on: the text after its last `-` when it looks like `au2`/`UK1`
 * (lower-cased), else `au1`.
 *
 * @example
 * ```ts
 * shardFromApiKey('MS0xLTEyMzQ1-au4'); // 'au4'
 * shardFromApiKey('legacykeywithoutsuffix'); // 'au1'
 * ```
 */
export function shardFromApiKey(apiKey: string): string {
  const dash = apiKey.lastIndexOf('-');
  if (dash < 0) return DEFAULT_CLINIKO_SHARD;
  const suffix = apiKey.slice(dash + 1);
  return SHARD_PATTERN.test(suffix) ? suffix.toLowerCase() : DEFAULT_CLINIKO_SHARD;
}

/**
 * The API base URL of a shard.
 *
 * @example
 * ```ts
 * clinikoBaseUrl('uk1'); // 'https://api.uk1.cliniko.com/v1'
 * ```
 */
export function clinikoBaseUrl(shard: string): string {
  return `https://api.${shard}.cliniko.com/v1`;
}
