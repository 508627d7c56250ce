import { describe, expect, it } from 'vitest';
import { objectFields } from './fieldlabels.js';
import { checkFieldSelector, parseFieldSelector } from './fieldselector.js';
import { StatusError } from './status.js';

function statusOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  throw new Error('expected a StatusError');
}

describe('parseFieldSelector', () => {
  it.each([
    ['', []],
    [',', []],
    ['metadata.name=web', [{ field: 'metadata.name', op: '=', value: 'web' }]],
    ['metadata.name==web', [{ field: 'metadata.name', op: '=', value: 'web' }]],
    ['status.phase!=Running', [{ field: 'status.phase', op: '!=', value: 'Running' }]],
    ['a=', [{ field: 'a', op: '=', value: '' }]],
    [
      'involvedObject.uid=u,involvedObject.name=n,involvedObject.namespace=ns',
      [
        { field: 'involvedObject.name', op: '=', value: 'n' },
        { field: 'involvedObject.namespace', op: '=', value: 'ns' },
        { field: 'involvedObject.uid', op: '=', value: 'u' },
      ],
    ],
    ['a=x\\,y', [{ field: 'a', op: '=', value: 'x,y' }]],
    ['a=x\\=y\\\\z', [{ field: 'a', op: '=', value: 'x=y\\z' }]],
    ['a!=b\\=c', [{ field: 'a', op: '!=', value: 'b=c' }]],
  ])('%j parses to %j', (input, want) => {
    expect(parseFieldSelector(input).requirements()).toEqual(want);
  });

  it('does not depend on term order', () => {
    const fields = { 'involvedObject.namespace': 'default', 'involvedObject.uid': 'u1', 'involvedObject.name': 'web' };
    const orders = [
      'involvedObject.namespace=default,involvedObject.uid=u1,involvedObject.name=web',
      'involvedObject.name=web,involvedObject.namespace=default,involvedObject.uid=u1',
      'involvedObject.uid=u1,involvedObject.name=web,involvedObject.namespace=default',
    ];
    const parsed = orders.map((o) => parseFieldSelector(o));
    for (const sel of parsed) expect(sel.matches(fields)).toBe(true);
    expect(new Set(parsed.map(String)).size).toBe(1);
  });

  it.each([
    ['metadata.name=web', { 'metadata.name': 'web' }, true],
    ['metadata.name=web', { 'metadata.name': 'db' }, false],
    ['metadata.name!=web', { 'metadata.name': 'db' }, true],
    ['spec.nodeName=', {}, true],
    ['spec.nodeName!=', {}, false],
    ['a=1,b=2', { a: '1', b: '2' }, true],
    ['a=1,b=2', { a: '1', b: '3' }, false],
    ['', { a: '1' }, true],
  ] as [string, Record<string, string>, boolean][])('%j matches %j: %s', (sel, fields, want) => {
    expect(parseFieldSelector(sel).matches(fields)).toBe(want);
  });

  it('prints terms', () => {
    expect(parseFieldSelector('b!=2,a==1').toString()).toBe('a=1,b!=2');
    expect(parseFieldSelector('').empty()).toBe(true);
  });

  it.each([
    ['metadata.name', "invalid selector: 'metadata.name'; can't understand 'metadata.name'"],
    ['a=1,b', "invalid selector: 'a=1,b'; can't understand 'b'"],
    ['a=x\\y', 'invalid field selector: invalid escape sequence: \\y'],
    ['a=x\\', 'invalid field selector: invalid escape sequence: \\'],
    ['a=x=y', 'invalid field selector: unescaped character in value: 61'],
  ])('%j is a 400: %s', (input, message) => {
    const err = statusOf(() => parseFieldSelector(input));
    expect(err.code).toBe(400);
    expect(err.message).toBe(message);
  });
});

describe('checkFieldSelector', () => {
  it.each([
    ['core/pods', 'spec.nodeName=n1,status.phase=Running,metadata.namespace=default'],
    ['core/pods', 'status.podIPs=10.0.0.1'],
    ['core/events', 'involvedObject.kind=Pod,reason=Killing,source=kubelet,type=Normal'],
    ['core/nodes', 'spec.unschedulable=true,metadata.name=n1'],
    ['core/namespaces', 'status.phase=Active'],
    ['core/secrets', 'type=Opaque'],
    ['core/services', 'spec.type=ClusterIP,spec.clusterIP=None'],
    ['batch/jobs', 'status.successful=1'],
    ['apps/deployments', 'metadata.name=web,metadata.namespace=default'],
    ['rbac.authorization.k8s.io/clusterroles', 'metadata.namespace='],
  ])('%s accepts %s', (resource, sel) => {
    const checked = checkFieldSelector(parseFieldSelector(sel), resource);
    expect(checked.requirements()).toEqual(parseFieldSelector(sel).requirements());
  });

  it.each([
    ['core/pods', 'status.hostIP=1.2.3.4', 'field label not supported: status.hostIP'],
    ['core/nodes', 'metadata.namespace=x', 'field label not supported: metadata.namespace'],
    ['core/namespaces', 'metadata.namespace=x', 'field label not supported: metadata.namespace'],
    ['batch/jobs', 'status.succeeded=1', 'field label "status.succeeded" not supported for batchv1.Job'],
    ['apps/replicasets', 'status.replicas=1', '"status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"'],
    ['core/configmaps', 'data=1', '"data" is not a known field selector: only "metadata.name", "metadata.namespace"'],
    ['events.k8s.io/events', 'involvedObject.name=x', 'field label not supported: involvedObject.name'],
    ['core/pods', 'constructor=x', 'field label not supported: constructor'],
  ])('%s refuses %s', (resource, sel, message) => {
    const err = statusOf(() => checkFieldSelector(parseFieldSelector(sel), resource));
    expect(err.code).toBe(400);
    expect(err.reason).toBe('BadRequest');
    expect(err.message).toBe(message);
  });

  it('rewrites aliases to the labels objects carry', () => {
    expect(checkFieldSelector(parseFieldSelector('spec.host=n1'), 'core/pods').requirements()).toEqual([{ field: 'spec.nodeName', op: '=', value: 'n1' }]);
    const ev = checkFieldSelector(parseFieldSelector('regarding.name=web,reportingController=kubelet'), 'events.k8s.io/events');
    expect(ev.requirements()).toEqual([
      { field: 'involvedObject.name', op: '=', value: 'web' },
      { field: 'reportingComponent', op: '=', value: 'kubelet' },
    ]);
    const event = { metadata: { name: 'e', namespace: 'default' }, involvedObject: { name: 'web' }, reportingComponent: 'kubelet' };
    expect(ev.matches(objectFields('core/events', event))).toBe(true);
  });
});
