/**
 * `cliniko-tradify/email`: alerts by email. This entry loads nodemailer (an optional peer
 * dependency) when the first email is sent; the main entry never does.
 *
 * @packageDocumentation
 */

export { EmailAlerter } from './email.js';
export type { EmailAlerterOptions, EmailTls } from './email.js';
export { emailAlertMessage, MAX_IDS_IN_EMAIL } from './email-message.js';
export type { EmailAlertMessage, EmailAlertMessageOptions } from './email-message.js';
