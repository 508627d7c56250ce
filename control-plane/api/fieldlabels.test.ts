import { describe, expect, it } from 'vitest';
import { fieldLabels, objectFields } from './fieldlabels.js';
import { parseFieldSelector } from './fieldselector.js';
import { RESOURCES } from './registry.js';

describe('fieldLabels', () => {
  it('is keyed by storage keys the registry knows', () => {
    const storage = new Set(RESOURCES.map((r) => r.storage));
    for (const key of Object.keys(fieldLabels)) expect(storage.has(key)).toBe(true);
  });

  it('gives every key a string value even for an empty object', () => {
    for (const [key, fn] of Object.entries(fieldLabels)) {
      const fields = fn({});
      expect(Object.keys(fields).length, key).toBeGreaterThan(0);
      for (const v of Object.values(fields)) expect(typeof v).toBe('string');
    }
    expect(fieldLabels['core/nodes']!({})).toEqual({ 'spec.unschedulable': 'false' });
    expect(fieldLabels['batch/jobs']!({})).toEqual({ 'status.successful': '0' });
  });
});

describe('objectFields', () => {
  const pod = {
    metadata: { name: 'web-1', namespace: 'default' },
    spec: { nodeName: 'n1', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'default', hostNetwork: true },
    status: { phase: 'Running', podIP: '10.244.0.5', podIPs: [{ ip: '10.244.0.5' }, { ip: 'fd00::5' }], nominatedNodeName: '' },
  };

  it('selects pods upstream-style', () => {
    expect(objectFields('core/pods', pod)).toEqual({
      'metadata.name': 'web-1',
      'metadata.namespace': 'default',
      'spec.nodeName': 'n1',
      'spec.restartPolicy': 'Always',
      'spec.schedulerName': 'default-scheduler',
      'spec.serviceAccountName': 'default',
      'spec.hostNetwork': 'true',
      'status.phase': 'Running',
      'status.podIP': '10.244.0.5',
      'status.nominatedNodeName': '',
    });
    expect(objectFields('core/pods', { metadata: { name: 'p' }, status: { podIP: '10.0.0.1' } })['status.podIP']).toBe('10.0.0.1');
  });

  it.each([
    ['core/pods', 'status.phase=Running,spec.nodeName=n1', true],
    ['core/pods', 'status.phase!=Running', false],
    ['core/pods', 'spec.hostNetwork=true,metadata.namespace=default', true],
  ])('%s %s -> %s', (storage, sel, want) => {
    expect(parseFieldSelector(sel).matches(objectFields(storage, pod))).toBe(want);
  });

  it('selects events by involved object and source', () => {
    const ev = {
      metadata: { name: 'web.1', namespace: 'default' },
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'web', uid: 'u1', apiVersion: 'v1', fieldPath: 'spec.containers{app}' },
      reason: 'Pulled',
      type: 'Normal',
      reportingComponent: 'kubelet',
    };
    const fields = objectFields('core/events', ev);
    expect(fields.source).toBe('kubelet');
    expect(fields['involvedObject.uid']).toBe('u1');
    expect(fields['involvedObject.resourceVersion']).toBe('');
    expect(objectFields('core/events', { ...ev, source: { component: 'scheduler' } }).source).toBe('scheduler');
    expect(parseFieldSelector('involvedObject.uid=u1,involvedObject.name=web,involvedObject.namespace=default').matches(fields)).toBe(true);
  });

  it.each([
    ['core/nodes', { metadata: { name: 'n1' }, spec: { unschedulable: true } }, { 'metadata.name': 'n1', 'metadata.namespace': '', 'spec.unschedulable': 'true' }],
    ['core/namespaces', { metadata: { name: 'ns' }, status: { phase: 'Terminating' } }, { 'metadata.name': 'ns', 'metadata.namespace': '', 'status.phase': 'Terminating' }],
    ['core/secrets', { metadata: { name: 's', namespace: 'd' }, type: 'Opaque' }, { 'metadata.name': 's', 'metadata.namespace': 'd', type: 'Opaque' }],
    [
      'core/services',
      { metadata: { name: 's', namespace: 'd' }, spec: { type: 'NodePort', clusterIP: '10.96.0.10' } },
      { 'metadata.name': 's', 'metadata.namespace': 'd', 'spec.type': 'NodePort', 'spec.clusterIP': '10.96.0.10' },
    ],
    ['apps/replicasets', { metadata: { name: 'r', namespace: 'd' }, status: { replicas: 3 } }, { 'metadata.name': 'r', 'metadata.namespace': 'd', 'status.replicas': '3' }],
    ['batch/jobs', { metadata: { name: 'j', namespace: 'd' }, status: { succeeded: 1 } }, { 'metadata.name': 'j', 'metadata.namespace': 'd', 'status.successful': '1' }],
    ['apps/deployments', { metadata: { name: 'w', namespace: 'd' } }, { 'metadata.name': 'w', 'metadata.namespace': 'd' }],
  ])('%s fields', (storage, obj, want) => {
    expect(objectFields(storage, obj)).toEqual(want);
  });
});
