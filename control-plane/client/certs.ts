/**
 * The cluster CA and the API server's serving certificate (ECDSA P-256, via @peculiar/x509 over
 * Node's WebCrypto). Pure apart from key generation; PEM in, PEM out.
 */
import { createHash, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const EC_KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

export interface KeyPairPem {
  certPem: string;
  keyPem: string;
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function importPrivateKey(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decode(pem)[0]!;
  return webcrypto.subtle.importKey('pkcs8', der, EC_KEY, false, ['sign']);
}

function serial(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1');
}

/** A self-signed CA valid for ten years. */
export async function createCA(commonName: string, now = new Date()): Promise<KeyPairPem> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName}`,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + 3650 * DAY_MS),
    keys,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

export interface ServingCertRequest {
  commonName: string;
  dnsNames: string[];
  ips: string[];
  /** Also usable as a TLS client certificate (node credentials). */
  clientAuth?: boolean;
  /** Subject organisations (Kubernetes reads them as groups). */
  organizations?: string[];
  validDays?: number;
}

/** A leaf certificate signed by `ca` for the given names and addresses. */
export async function createLeafCert(ca: KeyPairPem, req: ServingCertRequest, now = new Date()): Promise<KeyPairPem> {
  const keys = await generateKeys();
  const caCert = new x509.X509Certificate(ca.certPem);
  const names: x509.JsonGeneralName[] = [
    ...req.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...req.ips.map((value) => ({ type: 'ip' as const, value })),
  ];
  const subject = [`CN=${req.commonName}`, ...(req.organizations ?? []).map((o) => `O=${o}`)].join(', ');
  const usages = [x509.ExtendedKeyUsage.serverAuth, ...(req.clientAuth ? [x509.ExtendedKeyUsage.clientAuth] : [])];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject,
    issuer: caCert.subject,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + (req.validDays ?? 365) * DAY_MS),
    publicKey: keys.publicKey,
    signingKey: await importPrivateKey(ca.keyPem),
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension(usages),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

/** `sha256:<hex>` of the CA's SubjectPublicKeyInfo, the pin kubeadm-style joins check (--ca-cert-hash). */
export function caCertHash(caCertPem: string): string {
  const cert = new x509.X509Certificate(caCertPem);
  return `sha256:${createHash('sha256').update(Buffer.from(cert.publicKey.rawData)).digest('hex')}`;
}
