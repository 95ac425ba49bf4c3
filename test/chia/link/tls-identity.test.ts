import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { selfSignedCertificate as selfSigned } from '../../support/self-signed.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TlsIdentityError,
  createChiaCertificate as createSigned,
  loadOrCreateIdentity as loadOrCreate,
  peerIdOf,
  type IdentityOptions,
} from '../../../src/chia/link/tls-identity.js';
import { ROLES } from '../../../src/chia/upstream-api.js';
import { identityNames } from '../../../src/config/options.js';
import { loadChiaCa } from '../../../src/process/chia-ca.js';

/** As the gateway calls them: with the bundled CA, naming the gateway's options. */
const createChiaCertificate = () => createSigned(loadChiaCa());
const loadOrCreateIdentity = (options: Omit<IdentityOptions, 'ca' | 'names'>) => {
  const role = ROLES.find((r) => r === options.role);
  return loadOrCreate({ ...options, ca: loadChiaCa(), names: role && identityNames(role) });
};

const DAY_MS = 86_400_000;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tls-identity-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadChiaCa', () => {
  it('loads the bundled public Chia CA (sha256 fingerprint from ca/README.md)', () => {
    const ca = new X509Certificate(loadChiaCa().cert);
    expect(ca.fingerprint256).toBe('0C:3C:02:42:7F:37:8A:44:D6:A0:12:36:8C:53:CB:83:0B:DA:2F:82:0E:93:78:2F:F5:4A:DF:54:EB:68:34:CE');
    expect(loadChiaCa().key).toContain('BEGIN PRIVATE KEY');
  });
});

describe('createChiaCertificate', () => {
  const pair = createChiaCertificate();
  const cert = new X509Certificate(pair.cert);
  const ca = new X509Certificate(loadChiaCa().cert);

  it('is signed by the Chia CA and carries the CA subject as issuer', () => {
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    // Same DN bytes in the same order (O, CN, OU) as the CA subject.
    const caSubject = forge.pki.certificateFromPem(loadChiaCa().cert).subject.attributes.map((a) => a.shortName);
    const issuer = forge.pki.certificateFromPem(pair.cert).issuer.attributes.map((a) => a.shortName);
    expect(issuer).toEqual(caSubject);
    expect(issuer).toEqual(['O', 'CN', 'OU']);
  });

  it('has the node subject, SAN, validity, serial and key of PROTOCOL.md §a.3', () => {
    expect(cert.subject.split('\n')).toEqual(['CN=Chia', 'O=Chia', 'OU=Organic Farming Division']);
    expect(cert.subjectAltName).toBe('DNS:chia.net');
    expect(new Date(cert.validTo).toISOString()).toBe('2100-08-02T00:00:00.000Z');
    const notBefore = Date.parse(cert.validFrom);
    expect(Math.abs(notBefore - (Date.now() - DAY_MS))).toBeLessThan(10 * 60_000);
    expect(BigInt(`0x${cert.serialNumber}`)).toBeGreaterThan(0n);
    expect(BigInt(`0x${cert.serialNumber}`) < 1n << 159n).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails).toMatchObject({ modulusLength: 2048, publicExponent: 65537n });
    expect(pair.key).toContain('BEGIN PRIVATE KEY');
    const forgeCert = forge.pki.certificateFromPem(pair.cert);
    expect(forgeCert.extensions.map((e: { name: string }) => e.name)).toEqual(['subjectAltName']);
    expect(cert.checkPrivateKey(createPrivateKey(pair.key))).toBe(true);
  });

  it('gives a fresh key and serial each time', () => {
    const other = createChiaCertificate();
    expect(other.key).not.toBe(pair.key);
    expect(peerIdOf(other.cert)).not.toBe(peerIdOf(pair.cert));
  });
});

describe('loadOrCreateIdentity', () => {
  it('creates 0600 files in a 0700 directory and reuses them on the next call', async () => {
    const first = await loadOrCreateIdentity({ dataDir: dir, role: 'wallet' });
    expect(first.peerId).toMatch(/^[0-9a-f]{64}$/);
    expect(first.peerId).toBe(new X509Certificate(first.cert).fingerprint256.replaceAll(':', '').toLowerCase());
    const keyStat = await stat(join(dir, 'tls', 'wallet.key'));
    const crtStat = await stat(join(dir, 'tls', 'wallet.crt'));
    const dirStat = await stat(join(dir, 'tls'));
    expect(keyStat.mode & 0o777).toBe(0o600);
    expect(crtStat.mode & 0o777).toBe(0o600);
    expect(dirStat.mode & 0o777).toBe(0o700);
    const second = await loadOrCreateIdentity({ dataDir: dir, role: 'wallet' });
    expect(second).toEqual(first);
  });

  it('gives each role its own identity', async () => {
    const wallet = await loadOrCreateIdentity({ dataDir: dir, role: 'wallet' });
    const fullNode = await loadOrCreateIdentity({ dataDir: dir, role: 'full_node' });
    expect(fullNode.peerId).not.toBe(wallet.peerId);
  });

  it('loads a valid user-supplied pair', async () => {
    const pair = createChiaCertificate();
    const certPath = join(dir, 'user.crt');
    const keyPath = join(dir, 'user.key');
    await writeFile(certPath, pair.cert);
    await writeFile(keyPath, pair.key);
    const id = await loadOrCreateIdentity({ dataDir: dir, role: 'wallet', certPath, keyPath });
    expect(id).toEqual({ ...pair, peerId: peerIdOf(pair.cert) });
  });

  it('rejects user-supplied files with errors that name the option', async () => {
    const good = createChiaCertificate();
    const other = createChiaCertificate();
    const files = {
      cert: join(dir, 'u.crt'),
      otherKey: join(dir, 'other.key'),
      garbage: join(dir, 'garbage.pem'),
      selfSigned: join(dir, 'self.crt'),
      selfKey: join(dir, 'self.key'),
    };
    await writeFile(files.cert, good.cert);
    await writeFile(files.otherKey, other.key);
    await writeFile(files.garbage, 'not a pem');
    const self = selfSigned();
    await writeFile(files.selfSigned, self.cert);
    await writeFile(files.selfKey, self.key);

    const attempt = (certPath?: string, keyPath?: string) =>
      loadOrCreateIdentity({ dataDir: dir, role: 'wallet', certPath, keyPath }).then(
        () => undefined,
        (err: unknown) => err,
      );
    const cases: [unknown, string, RegExp][] = [
      [await attempt(files.cert, files.otherKey), 'CHIA_GATEWAY_KEY', /does not belong/],
      [await attempt(files.garbage, files.otherKey), 'CHIA_GATEWAY_CERT', /not a PEM X.509 certificate/],
      [await attempt(files.cert, files.garbage), 'CHIA_GATEWAY_KEY', /not an unencrypted PEM private key/],
      [await attempt(join(dir, 'missing.crt'), files.otherKey), 'CHIA_GATEWAY_CERT', /cannot read/],
      [await attempt(files.cert, undefined), 'CHIA_GATEWAY_KEY', /CHIA_GATEWAY_WALLET_KEY\); give both or neither/],
      [await attempt(undefined, files.otherKey), 'CHIA_GATEWAY_CERT', /CHIA_GATEWAY_WALLET_CERT\); give both or neither/],
      [await attempt(files.selfSigned, files.selfKey), 'CHIA_GATEWAY_CERT', /not signed by the public Chia CA/],
    ];
    for (const [err, option, message] of cases) {
      expect(err).toBeInstanceOf(TlsIdentityError);
      const e = err as TlsIdentityError;
      expect(e.code).toBe('TLS_IDENTITY_INVALID');
      expect(e.option).toBe(option);
      expect(e.message).toMatch(message);
      expect(e.message).toContain(option);
      expect(e.message).not.toContain('PRIVATE KEY');
    }
  });

  it('rejects an expired certificate and an unusable role name', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const ca = forge.pki.certificateFromPem(loadChiaCa().cert);
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
    cert.serialNumber = '01';
    cert.validity.notBefore = new Date(Date.now() - 3 * DAY_MS);
    cert.validity.notAfter = new Date(Date.now() - DAY_MS);
    cert.setSubject([{ shortName: 'CN', value: 'Chia' }]);
    cert.setIssuer(ca.subject.attributes);
    cert.sign(forge.pki.privateKeyFromPem(loadChiaCa().key), forge.md.sha256.create());
    const certPath = join(dir, 'expired.crt');
    const keyPath = join(dir, 'expired.key');
    await writeFile(certPath, forge.pki.certificateToPem(cert));
    await writeFile(keyPath, privateKey);
    await expect(loadOrCreateIdentity({ dataDir: dir, role: 'wallet', certPath, keyPath })).rejects.toThrow(/expired/);
    await expect(loadOrCreateIdentity({ dataDir: dir, role: '../x' })).rejects.toThrow(TlsIdentityError);
  });

  it('reports a corrupted stored identity instead of replacing it', async () => {
    const dataDir = join(dir, 'corrupt');
    await loadOrCreateIdentity({ dataDir, role: 'wallet' });
    await writeFile(join(dataDir, 'tls', 'wallet.key'), createChiaCertificate().key);
    await expect(loadOrCreateIdentity({ dataDir, role: 'wallet' })).rejects.toThrow(/does not belong/);
    expect(await readFile(join(dataDir, 'tls', 'wallet.crt'), 'utf8')).toContain('BEGIN CERTIFICATE');
  });
});

describe('private key file permissions', () => {
  it('warns, naming the file and the fix, when a user-supplied key is readable by other users', async () => {
    const pair = createChiaCertificate();
    const certPath = join(dir, 'shared.crt');
    const keyPath = join(dir, 'shared.key');
    await writeFile(certPath, pair.cert);
    await writeFile(keyPath, pair.key);
    await chmod(keyPath, 0o644);
    const logger = new RecordingLogger();
    const { warnings } = logger;
    await loadOrCreateIdentity({ dataDir: dir, role: 'wallet', certPath, keyPath, logger });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toContain(keyPath);
    expect(warnings[0]?.msg).toContain(`chmod 600 ${keyPath}`);
    expect(warnings[0]?.obj).toEqual({ file: keyPath, mode: '0644' });

    await chmod(keyPath, 0o600);
    const quiet = new RecordingLogger();
    await loadOrCreateIdentity({ dataDir: dir, role: 'wallet', certPath, keyPath, logger: quiet });
    expect(quiet.warnings).toEqual([]);
  });

  it('warns for a generated key whose mode was loosened, not for one it just wrote', async () => {
    const dataDir = join(dir, 'loosened');
    const first = new RecordingLogger();
    await loadOrCreateIdentity({ dataDir, role: 'full_node', logger: first });
    expect(first.warnings).toEqual([]);
    const keyFile = join(dataDir, 'tls', 'full_node.key');
    await chmod(keyFile, 0o640);
    const second = new RecordingLogger();
    await loadOrCreateIdentity({ dataDir, role: 'full_node', logger: second });
    expect(second.warnings.map((w) => w.msg)).toEqual([`private key ${keyFile} is accessible to other users (mode 0640); restrict it: chmod 600 ${keyFile}`]);
  });
});

describe('an unwritable data directory', () => {
  const expectDataDirError = async (dataDir: string) => {
    const err = await loadOrCreateIdentity({ dataDir, role: 'wallet' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TlsIdentityError);
    expect((err as TlsIdentityError).option).toBe('CHIA_GATEWAY_DATA_DIR');
    expect((err as TlsIdentityError).message).toContain(dataDir);
    expect((err as TlsIdentityError).message).toContain('CHIA_GATEWAY_DATA_DIR (--data-dir)');
  };

  it('names CHIA_GATEWAY_DATA_DIR and the path when the directory is a file', async () => {
    const notADir = join(dir, 'plain-file');
    await writeFile(notADir, 'not a directory');
    await expectDataDirError(notADir);
  });

  // Root writes through permission bits, so this case needs an unprivileged user.
  it.skipIf(process.getuid?.() === 0)('names CHIA_GATEWAY_DATA_DIR and the path when the directory is read-only', async () => {
    const readOnly = join(dir, 'read-only');
    await mkdir(readOnly, { mode: 0o500 });
    try {
      await expectDataDirError(readOnly);
    } finally {
      await chmod(readOnly, 0o700);
    }
  });
});
