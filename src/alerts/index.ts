/**
 * Alerters: console (the default), a callback, a webhook; routing to several; aggregation and
 * cross-run dedupe. The email alerter is in `cliniko-tradify/email`.
 *
 * @module
 */
export { ConsoleAlerter } from './console.js';
export type { ConsoleAlerterOptions } from './console.js';
export { CallbackAlerter } from './callback.js';
export type { AlertCallback, CallbackAlerterOptions } from './callback.js';
export { WebhookAlerter, slackBody, jsonBody } from './webhook.js';
export type { WebhookAlerterOptions } from './webhook.js';
export { DedupingAlerter } from './dedupe.js';
export type { AlertSendResult, DedupingAlerterOptions, RetryUndeliveredOptions } from './dedupe.js';
export { AlertRouter, ALERT_KINDS, ALERT_SEVERITIES } from './routing.js';
export type { AlertRoute, AlertRouterOptions, AlertDestinations, ResolvedAlertRoute } from './routing.js';
export { alertLine } from './format.js';
