/**
 * `cliniko.settings`: account settings (`GET /settings`; needs a role that can view settings).
 *
 * @module
 */
import { clinikoSettingsSchema, type ClinikoSettings } from './schemas/settings.js';
import type { ClinikoTransport, RequestOptions } from './transport.js';

/** The settings resource. Reach it as `cliniko.settings`. */
export class Settings {
  readonly #t: ClinikoTransport;

  /** @internal */
  constructor(transport: ClinikoTransport) {
    this.#t = transport;
  }

  /** Fetch the settings. @throws {@link PermissionDeniedError} when the key's role may not view them. */
  retrieve(options?: RequestOptions): Promise<ClinikoSettings> {
    return this.#t.get('/settings', clinikoSettingsSchema, [], options);
  }
}
