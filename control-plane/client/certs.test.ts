import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { caCertHash, createCA } from './certs.js';

describe('caCertHash', () => {
  it("is kubeadm's pin: sha256 over the CA's DER SubjectPublicKeyInfo", async () => {
    const ca = await createCA('test-ca');
    const spki = new X509Certificate(ca.certPem).publicKey.export({ type: 'spki', format: 'der' });
    expect(caCertHash(ca.certPem)).toBe(`sha256:${createHash('sha256').update(spki).digest('hex')}`);
  });

  it('matches the openssl pipeline kubeadm documents', async () => {
    const ca = await createCA('test-ca');
    const pub = execFileSync('openssl', ['x509', '-pubkey', '-noout'], { input: ca.certPem });
    const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'], { input: pub });
    expect(caCertHash(ca.certPem)).toBe(`sha256:${createHash('sha256').update(der).digest('hex')}`);
  });

  it('differs between CAs', async () => {
    expect(caCertHash((await createCA('a')).certPem)).not.toBe(caCertHash((await createCA('a')).certPem));
  });
});
