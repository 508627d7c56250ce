/**
 * The streaming server's certificate: self-signed per agent start (a throwaway CA and a leaf for
 * this host's names). The API server does not verify it, as upstream's default
 * (kubelet-certificate-authority unset) does not; the bearer token checks the other direction.
 */
import os from 'node:os';
import { createCA, createLeafCert, type KeyPairPem } from '../../control-plane/client/certs.js';

/** The host's names and addresses, loopback included. */
function hostNames(): { dnsNames: string[]; ips: string[] } {
  const ips = Object.values(os.networkInterfaces())
    .flat()
    .filter((a): a is os.NetworkInterfaceInfo => !!a)
    .map((a) => a.address.split('%')[0]!);
  return { dnsNames: [...new Set([os.hostname(), 'localhost'])], ips: [...new Set(['127.0.0.1', '::1', ...ips])] };
}

export async function selfSignedServingCert(): Promise<KeyPairPem> {
  const ca = await createCA(`tug-agent-ca@${os.hostname()}`);
  return createLeafCert(ca, { commonName: 'tug-agent', ...hostNames() });
}
