import { describe, expect, it } from 'vitest';
import { desiredEndpoints, endpointsDiffer } from './endpoints-controller.js';
import { pod, service } from './fixtures.test-util.js';

describe('desiredEndpoints', () => {
  it('labels are the Service labels plus the headless label; over capacity is annotated', () => {
    const svc = service('db', { clusterIP: 'None', labels: { app: 'db' } });
    const ep = desiredEndpoints(svc, [pod('a', { ip: '10.244.1.3' })], undefined);
    expect(ep.metadata).toEqual({ name: 'db', namespace: 'default', labels: { app: 'db', 'service.kubernetes.io/headless': '' } });
    expect(ep.subsets).toHaveLength(1);
  });

  it('an equal current object needs no write; a readiness change does', () => {
    const svc = service('web');
    const current = { ...desiredEndpoints(svc, [pod('a', { ip: '10.244.1.3' })], undefined), metadata: { name: 'web', namespace: 'default', resourceVersion: '7', labels: {} } };
    expect(endpointsDiffer(current, desiredEndpoints(svc, [pod('a', { ip: '10.244.1.3' })], current))).toBe(false);
    const changed = desiredEndpoints(svc, [pod('a', { ip: '10.244.1.3', ready: false })], current);
    expect(endpointsDiffer(current, changed)).toBe(true);
    expect(changed.metadata!.resourceVersion).toBe('7');
  });
});
