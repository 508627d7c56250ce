import { describe, expect, it } from 'vitest';
import { chainNames, hash16 } from './chains.js';

describe('chain names', () => {
  it.each([
    // Chain hashes as kube-proxy computes them (KUBE-SVC-NPX46M4PTMTKRN6Y is default/kubernetes:https).
    ['default/kubernetes:https', 'tcp', 'NPX46M4PTMTKRN6Y'],
    ['kube-system/kube-dns:dns', 'udp', 'TCOU7JCQXEZGVUNU'],
  ])('hashes %s/%s as kube-proxy does', (name, protocol, hash) => {
    expect(hash16(name + protocol)).toBe(hash);
    expect(chainNames().svc(name, protocol.toUpperCase())).toBe(`TUG-SVC-${hash}`);
  });

  it('names every chain within 28 characters and recognises only its own', () => {
    const n = chainNames('TP1A2B3');
    const names = [n.services, n.nodePorts, n.postrouting, n.markMasq, n.forward, n.firewall, n.svc('a/b:c', 'TCP'), n.svl('a/b', 'UDP'), n.ext('a/b', 'TCP'), n.sep('a/b', 'TCP', '10.0.0.1:80')];
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(28);
      expect(n.isOurs(name)).toBe(true);
    }
    const tug = chainNames();
    for (const other of ['TUG-CNI-FWD', 'TUG-CNI-MASQ', 'KUBE-SERVICES', 'TUG-SVC-short', n.services, 'DOCKER']) expect(tug.isOurs(other)).toBe(false);
    expect(tug.isOurs('TUG-SERVICES')).toBe(true);
  });

  it.each(['', 'tug', 'TOOLONGX', '1ABC', 'TU-G'])('rejects the prefix "%s"', (prefix) => {
    expect(() => chainNames(prefix)).toThrow(/invalid chain prefix/);
  });

  it('gives the endpoint chain a hash of port, protocol and endpoint', () => {
    const n = chainNames();
    expect(n.sep('ns/web:http', 'TCP', '10.244.1.2:8080')).toBe(`TUG-SEP-${hash16('ns/web:httptcp10.244.1.2:8080')}`);
    expect(n.sep('ns/web:http', 'TCP', '10.244.1.2:8080')).not.toBe(n.sep('ns/web:http', 'UDP', '10.244.1.2:8080'));
  });
});
