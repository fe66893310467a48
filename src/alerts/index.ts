/**
 * Alerters: console (the default), a callback, a webhook; aggregation and cross-run dedupe.
 *
 * @module
 */
export { ConsoleAlerter } from './console.js';
export type { ConsoleAlerterOptions } from './console.js';
export { CallbackAlerter } from './callback.js';
export type { AlertCallback, CallbackAlerterOptions } from './callback.js';
export { WebhookAlerter, slackBody, jsonBody } from './webhook.js';
export type { WebhookAlerterOptions } from './webhook.js';
export { DedupingAlerter, aggregateAlerts, alertFingerprint, MAX_ALERT_RECORD_IDS } from './dedupe.js';
export type { AlertSendResult, DedupingAlerterOptions } from './dedupe.js';
export { alertLine } from './format.js';
