/**
 * A real SMTP server on loopback for the email alert tests (`smtp-server`), with TLS from a
 * throwaway CA: STARTTLS, implicit TLS or plain. It checks one user's password, can reject
 * every message with a reply code the test sets, and parses what it accepted (`mailparser`).
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { TestCa } from './test-ca.js';

export const SMTP_USER = 'alerts@clinic.example';
/** The password the server accepts: a test fails if it shows up anywhere it should not. */
export const SMTP_PASSWORD = 'smtp-canary-pass-7f3e';

export interface LoopbackSmtp {
  port: number;
  /** Reply code given to every message from now on (e.g. 451, 550); `undefined` accepts. */
  reject: number | undefined;
  /** Every message that reached DATA, accepted or not. */
  attempts: number;
  /** The user names that tried to log in, and whether the password was right. */
  logins: Array<{ user: string; ok: boolean }>;
  /** Whether each login came over TLS. */
  loginsOverTls: boolean[];
  /** The messages accepted, parsed. */
  accepted: ParsedMail[];
  close(): Promise<void>;
}

export interface SmtpServerOptions {
  ca: TestCa;
  /** `'starttls'` (default), `'implicit'` (TLS from the first byte) or `'plain'` (no TLS at all). */
  mode?: 'starttls' | 'implicit' | 'plain';
}

export async function startSmtp(options: SmtpServerOptions): Promise<LoopbackSmtp> {
  const mode = options.mode ?? 'starttls';
  const state: Omit<LoopbackSmtp, 'port' | 'close'> = { reject: undefined, attempts: 0, logins: [], loginsOverTls: [], accepted: [] };
  const server = new SMTPServer({
    secure: mode === 'implicit',
    ...(mode === 'plain' ? { disabledCommands: ['STARTTLS'], allowInsecureAuth: true } : { key: options.ca.serverKeyPem, cert: options.ca.serverCertPem }),
    authOptional: false,
    logger: false,
    onAuth(auth, session, callback) {
      const ok = auth.username === SMTP_USER && auth.password === SMTP_PASSWORD;
      state.logins.push({ user: auth.username ?? '', ok });
      state.loginsOverTls.push(session.secure);
      if (!ok) return callback(new Error('Invalid username or password'));
      callback(null, { user: auth.username });
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        state.attempts += 1;
        if (state.reject !== undefined) {
          callback(Object.assign(new Error('Mailbox busy, try again later'), { responseCode: state.reject }));
          return;
        }
        simpleParser(Buffer.concat(chunks))
          .then((mail) => {
            state.accepted.push(mail);
            callback();
          })
          .catch((error: Error) => callback(error));
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return Object.assign(state, {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
