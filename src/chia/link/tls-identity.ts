/**
 * TLS identities for peer links: the bundled public Chia CA, node-style certificates signed by it
 * (PROTOCOL.md §a.3) and per-role identities kept on disk so each link's peer id (§a.4) stays stable.
 * Framework-free; never logs key material.
 */
import { type RSAKeyPairOptions, X509Certificate, createHash, createPrivateKey, generateKeyPair, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import forge from 'node-forge';
import type { Logger } from '../logger.js';

export interface PemPair {
  cert: string;
  key: string;
}

/**
 * The public Chia CA (its certificate and key, public data every node ships: PROTOCOL.md §a.3) from
 * `dir`, which holds chia_ca.crt and chia_ca.key; the caller knows where its copy lives.
 */
export function readChiaCa(dir: string): PemPair {
  return { cert: readFileSync(join(dir, 'chia_ca.crt'), 'utf8'), key: readFileSync(join(dir, 'chia_ca.key'), 'utf8') };
}

export interface TlsIdentity extends PemPair {
  /** sha256 of the certificate DER, 64 lowercase hex characters (PROTOCOL.md §a.4). */
  peerId: string;
}

/** A setting as messages name it: `option` goes into TlsIdentityError.option, `hint` into the text. */
export interface SettingName {
  option: string;
  hint: string;
}

/** How messages name the settings an identity comes from (e.g. environment variables). */
export interface IdentityNames {
  /** Where the certificate path may come from: the hint may name several settings (a shared one, the role's own). */
  cert: SettingName;
  key: SettingName;
  /** The data directory; its hint tells how to set it (e.g. a variable and its flag). */
  dataDir: SettingName;
}

/** The options' own field names, for callers that name no settings. */
const FIELD_NAMES: IdentityNames = {
  cert: { option: 'certPath', hint: 'certPath' },
  key: { option: 'keyPath', hint: 'keyPath' },
  dataDir: { option: 'dataDir', hint: 'dataDir' },
};

export interface IdentityOptions {
  dataDir: string;
  /** Link role; each role gets its own certificate because a node keeps one connection per peer id (§a.5). */
  role: string;
  certPath?: string;
  keyPath?: string;
  /** The CA that signs generated certificates and that given ones must chain to: the public Chia CA (§a.2). */
  ca: PemPair;
  /** How messages name the settings of the paths above (default: their field names). */
  names?: IdentityNames;
  /** Where a key file that other users can read is reported. */
  logger?: Pick<Logger, 'warn'>;
}

/** Why an identity could not be loaded; `option` names the setting that fixes it. */
export class TlsIdentityError extends Error {
  override readonly name = 'TlsIdentityError';
  readonly code = 'TLS_IDENTITY_INVALID';
  constructor(
    message: string,
    readonly option: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const RSA_BITS = 2048;
const RSA_EXPONENT = 65537;
/** x509.random_serial_number(): up to 159 random bits, positive. */
const SERIAL_BYTES = 20;
const ONE_DAY_MS = 86_400_000;
/** Fixed notAfter of every node certificate (chia/ssl/create_ssl.py). */
const NOT_AFTER = new Date(Date.UTC(2100, 7, 2, 0, 0, 0));
const SAN_DNS = 'chia.net';
const SUBJECT = [
  { shortName: 'CN', value: 'Chia' },
  { shortName: 'O', value: 'Chia' },
  { shortName: 'OU', value: 'Organic Farming Division' },
];
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;
/** Permission bits for the group and other users: a private key file should have none. */
const SHARED_BITS = 0o077;

function randomSerialHex(): string {
  const bytes = randomBytes(SERIAL_BYTES);
  // Clear the top bit (positive, ≤ 159 bits) and keep the first byte non-zero so the DER integer is minimal.
  bytes[0] = (bytes[0]! & 0x7f) || 0x01;
  return bytes.toString('hex');
}

/** pki.getTBSCertificate exists in node-forge but is missing from its type definitions. */
interface ForgeTbs {
  getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1;
}

/** Builds and signs with `ca` a node-style leaf certificate (§a.3) for the given SPKI public key PEM. */
function signLeaf(publicKeyPem: string, ca: PemPair): string {
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  cert.serialNumber = randomSerialHex();
  cert.validity.notBefore = new Date(Date.now() - ONE_DAY_MS);
  cert.validity.notAfter = NOT_AFTER;
  // UTF8String like the CA and like Python's cryptography (@types/node-forge mistypes valueTagClass).
  const utf8 = forge.asn1.Type.UTF8 as unknown as forge.asn1.Class;
  cert.setSubject(SUBJECT.map((a) => ({ ...a, valueTagClass: utf8 })));
  // Parsed attributes keep their order and string type, so the issuer DN equals the CA's subject DN.
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([{ name: 'subjectAltName', altNames: [{ type: 2, value: SAN_DNS }] }]);
  // Sign the TBS with node:crypto: same bytes as forge's cert.sign, without pure-JS RSA.
  cert.signatureOid = cert.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption!;
  cert.tbsCertificate = (forge.pki as unknown as ForgeTbs).getTBSCertificate(cert);
  const tbs = Buffer.from(forge.asn1.toDer(cert.tbsCertificate).getBytes(), 'binary');
  cert.signature = sign('sha256', tbs, ca.key).toString('binary');
  return forge.pki.certificateToPem(cert);
}

const KEY_PAIR_OPTIONS: RSAKeyPairOptions<'pem', 'pem'> = {
  modulusLength: RSA_BITS,
  publicExponent: RSA_EXPONENT,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
};

/** A fresh RSA-2048 key and a certificate signed by `ca` (the public Chia CA), made like a node's (§a.3). */
export function createChiaCertificate(ca: PemPair): PemPair {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', KEY_PAIR_OPTIONS);
  return { cert: signLeaf(publicKey, ca), key: privateKey };
}

/** As createChiaCertificate, generating the key off the event loop. */
function createChiaCertificateAsync(ca: PemPair): Promise<PemPair> {
  return new Promise((resolvePair, reject) => {
    generateKeyPair('rsa', KEY_PAIR_OPTIONS, (err, publicKey, privateKey) => {
      if (err) reject(err);
      else resolvePair({ cert: signLeaf(publicKey, ca), key: privateKey });
    });
  });
}

/** The peer id of a DER certificate: its sha256 as 64 lowercase hex characters (§a.4). */
export function peerIdOfDer(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

/** The peer id of a PEM certificate (§a.4). */
export function peerIdOf(certPem: string): string {
  return peerIdOfDer(new X509Certificate(certPem).raw);
}

/** Checks a PEM pair: parsable, the key matches the cert, signed by the Chia CA (`caCert`), not expired. */
function validatePair(pair: PemPair, caCert: string, certWhere: string, keyWhere: string, cert: SettingName, key: SettingName): void {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(pair.cert);
  } catch (err) {
    throw new TlsIdentityError(`${certWhere} is not a PEM X.509 certificate (check ${cert.hint})`, cert.option, { cause: err });
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(pair.key);
  } catch (err) {
    throw new TlsIdentityError(`${keyWhere} is not an unencrypted PEM private key (check ${key.hint})`, key.option, { cause: err });
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new TlsIdentityError(`${keyWhere} does not belong to the certificate ${certWhere} (check ${cert.hint} and ${key.hint})`, key.option);
  }
  const ca = new X509Certificate(caCert);
  if (!x509.checkIssued(ca) || !x509.verify(ca.publicKey)) {
    throw new TlsIdentityError(`${certWhere} is not signed by the public Chia CA; full nodes refuse it (PROTOCOL.md §a.2, check ${cert.hint})`, cert.option);
  }
  if (Date.parse(x509.validTo) <= Date.now()) {
    throw new TlsIdentityError(`${certWhere} expired on ${x509.validTo} (check ${cert.hint})`, cert.option);
  }
}

async function readPem(path: string, from: SettingName): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new TlsIdentityError(`cannot read ${path} (check ${from.hint})`, from.option, { cause: err });
  }
}

/**
 * Warns when other users may read a private key file (mode bits only: on Windows they mean nothing).
 * The key is still used: refusing would stop a running deployment over a fixable permission.
 */
async function warnIfShared(path: string, logger: IdentityOptions['logger']): Promise<void> {
  if (logger === undefined || process.platform === 'win32') return;
  const mode = (await stat(path)).mode & 0o777;
  if ((mode & SHARED_BITS) === 0) return;
  const octal = mode.toString(8).padStart(4, '0');
  logger.warn({ file: path, mode: octal }, `private key ${path} is accessible to other users (mode ${octal}); restrict it: chmod 600 ${path}`);
}

/** The data directory could not be written: name the setting and the path. */
function dataDirError(dataDir: string, setting: SettingName, err: unknown): TlsIdentityError {
  const reason = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
  return new TlsIdentityError(
    `cannot write generated certificates under ${dataDir} (${reason}); set ${setting.hint} to a directory the gateway can write`,
    setting.option,
    { cause: err },
  );
}

async function writePrivate(path: string, text: string): Promise<void> {
  // Write then rename, so a crash never leaves a half-written identity that looks valid.
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: FILE_MODE });
  await chmod(tmp, FILE_MODE);
  await rename(tmp, path);
}

/**
 * The TLS identity of one link role: the user's cert/key when given, else `<dataDir>/tls/<role>.crt|.key`,
 * created on first use (files 0600, directory 0700) and reused afterwards so the peer id stays stable.
 */
export async function loadOrCreateIdentity(options: IdentityOptions): Promise<TlsIdentity> {
  const { certPath, keyPath, role, ca, names = FIELD_NAMES } = options;
  if (!/^[a-z0-9_-]+$/i.test(role)) throw new TlsIdentityError(`invalid role name "${role}"`, 'role');
  if (certPath !== undefined || keyPath !== undefined) {
    const { cert, key } = names;
    if (certPath === undefined) throw new TlsIdentityError(`a key file is set for role ${role} but no certificate (${cert.hint}); give both or neither`, cert.option);
    if (keyPath === undefined) throw new TlsIdentityError(`a certificate is set for role ${role} but no key (${key.hint}); give both or neither`, key.option);
    const pair = { cert: await readPem(certPath, cert), key: await readPem(keyPath, key) };
    validatePair(pair, ca.cert, certPath, keyPath, cert, key);
    await warnIfShared(keyPath, options.logger);
    return { ...pair, peerId: peerIdOf(pair.cert) };
  }
  const dir = join(options.dataDir, 'tls');
  const crtFile = join(dir, `${role}.crt`);
  const keyFile = join(dir, `${role}.key`);
  if (existsSync(crtFile) && existsSync(keyFile)) {
    const dataDir = { hint: names.dataDir.option, option: names.dataDir.option };
    const pair = { cert: await readPem(crtFile, dataDir), key: await readPem(keyFile, dataDir) };
    // A generated identity that no longer validates is reported, not silently replaced: its peer id may be trusted somewhere.
    validatePair(pair, ca.cert, crtFile, keyFile, dataDir, dataDir);
    await warnIfShared(keyFile, options.logger);
    return { ...pair, peerId: peerIdOf(pair.cert) };
  }
  // Before the key is generated, so an unwritable directory fails fast.
  try {
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
  } catch (err) {
    throw dataDirError(options.dataDir, names.dataDir, err);
  }
  const pair = await createChiaCertificateAsync(ca);
  try {
    await writePrivate(keyFile, pair.key);
    await writePrivate(crtFile, pair.cert);
  } catch (err) {
    throw dataDirError(options.dataDir, names.dataDir, err);
  }
  return { ...pair, peerId: peerIdOf(pair.cert) };
}
