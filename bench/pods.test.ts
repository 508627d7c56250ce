import { describe, expect, it } from 'vitest';
import { dns1123Label, dns1123Subdomain, labelValue } from '../control-plane/api/names.js';
import { benchNamespaces, benchPod, podRef } from './pods.js';

describe('bench pods', () => {
  const namespaces = benchNamespaces(5);

  it('are about 2 kB each as posted, with valid names and label values', () => {
    for (const i of [0, 1, 4999, 9999]) {
      const pod = benchPod(namespaces, i);
      const size = JSON.stringify(pod).length;
      expect(size).toBeGreaterThan(1700);
      expect(size).toBeLessThan(2300);
      expect(dns1123Subdomain(pod.metadata.name)).toEqual([]);
      expect(dns1123Label(pod.metadata.namespace)).toEqual([]);
      for (const v of Object.values(pod.metadata.labels)) expect(labelValue(v as string)).toEqual([]);
      expect(podRef(namespaces, i)).toEqual({ namespace: pod.metadata.namespace, name: pod.metadata.name });
    }
  });

  it('have distinct names spread evenly over the namespaces', () => {
    const refs = Array.from({ length: 10_000 }, (_, i) => podRef(namespaces, i));
    expect(new Set(refs.map((r) => `${r.namespace}/${r.name}`)).size).toBe(10_000);
    for (const ns of namespaces) expect(refs.filter((r) => r.namespace === ns)).toHaveLength(2000);
  });
});
