/**
 * A throwaway certificate authority for TLS tests, built with `node:crypto` alone: a CA
 * certificate and a server certificate it signs for `localhost` and `127.0.0.1` (ECDSA P-256,
 * valid for a day). Nothing is written to disk and certificate checks stay on: a client trusts
 * the server only by being given `ca.certPem`.
 */
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

/** A CA and one server certificate it issued. */
export interface TestCa {
  /** The CA certificate (PEM): what a client must be told to trust. */
  certPem: string;
  /** The server's certificate (PEM), issued by the CA for localhost and 127.0.0.1. */
  serverCertPem: string;
  /** The server's private key (PKCS#8 PEM). */
  serverKeyPem: string;
}

// --- DER encoding: just what a certificate needs ----------------------------------------------

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

const seq = (...c: Buffer[]) => tlv(0x30, ...c);
const set = (...c: Buffer[]) => tlv(0x31, ...c);
const octets = (b: Buffer) => tlv(0x04, b);
const bitString = (b: Buffer) => tlv(0x03, Buffer.from([0]), b);
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
const explicit = (n: number, c: Buffer) => tlv(0xa0 + n, c);

function integer(bytes: Buffer): Buffer {
  const positive = (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
  return tlv(0x02, positive);
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [a! * 40 + b!];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function utcTime(date: Date): Buffer {
  const text = date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  return tlv(0x17, Buffer.from(text, 'ascii'));
}

const name = (cn: string) => seq(set(seq(oid('2.5.4.3'), utf8(cn))));
const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));
}

/** keyUsage bits: digitalSignature (0), keyCertSign (5), cRLSign (6). */
function keyUsage(bits: number[]): Buffer {
  let byte = 0;
  for (const bit of bits) byte |= 0x80 >> bit;
  const unused = Math.max(0, 7 - Math.max(...bits));
  return tlv(0x03, Buffer.from([unused, byte]));
}

function subjectAltNames(): Buffer {
  const dns = tlv(0x82, Buffer.from('localhost', 'ascii'));
  const ip = tlv(0x87, Buffer.from([127, 0, 0, 1]));
  return seq(dns, ip);
}

interface CertSpec {
  subject: string;
  issuer: string;
  publicKey: KeyObject;
  signingKey: KeyObject;
  extensions: Buffer[];
}

function certificate(spec: CertSpec): string {
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + 24 * 3_600_000);
  const spki = spec.publicKey.export({ type: 'spki', format: 'der' });
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(randomBytes(12)),
    ECDSA_SHA256,
    name(spec.issuer),
    seq(utcTime(notBefore), utcTime(notAfter)),
    name(spec.subject),
    spki,
    explicit(3, seq(...spec.extensions)),
  );
  const signature = sign('sha256', tbs, spec.signingKey);
  const der = seq(tbs, ECDSA_SHA256, bitString(signature));
  const lines = der.toString('base64').match(/.{1,64}/g)!.join('\n');
  return `-----BEGIN CERTIFICATE-----\n${lines}\n-----END CERTIFICATE-----\n`;
}

/** Makes a fresh CA and a server certificate for `localhost` / `127.0.0.1`. */
export function createTestCa(): TestCa {
  const ca = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const server = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const caName = `cliniko-tradify test CA ${randomBytes(4).toString('hex')}`;
  const certPem = certificate({
    subject: caName,
    issuer: caName,
    publicKey: ca.publicKey,
    signingKey: ca.privateKey,
    extensions: [extension('2.5.29.19', true, seq(bool(true))), extension('2.5.29.15', true, keyUsage([5, 6]))],
  });
  const serverCertPem = certificate({
    subject: 'localhost',
    issuer: caName,
    publicKey: server.publicKey,
    signingKey: ca.privateKey,
    extensions: [
      extension('2.5.29.19', true, seq()),
      extension('2.5.29.15', true, keyUsage([0])),
      extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))),
      extension('2.5.29.17', false, subjectAltNames()),
    ],
  });
  const serverKeyPem = server.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { certPem, serverCertPem, serverKeyPem };
}
