import { describe, expect, it } from 'vitest';
import { RESOURCES } from '../registry.js';
import {
  ATOMIC_STRUCTS,
  FIELD_PATCH_META,
  childOf,
  fieldsOf,
  listSemantics,
  openAPIComponents,
  openAPIName,
  openAPISchemaFor,
  pruneUnknownFields,
  schemaNameOfKind,
  typeOfKind,
  unknownFields,
} from './index.js';

describe('typeOfKind', () => {
  it('maps every served kind to a model', () => {
    for (const r of RESOURCES) expect(typeOfKind(r.group, r.version, r.kind), `${r.group}/${r.version}/${r.kind}`).toBeDefined();
  });

  it.each([
    ['apps', 'v1', 'Deployment', 'V1Deployment'],
    ['autoscaling', 'v2', 'HorizontalPodAutoscaler', 'V2HorizontalPodAutoscaler'],
    ['autoscaling', 'v1', 'HorizontalPodAutoscaler', 'V1HorizontalPodAutoscaler'],
    ['events.k8s.io', 'v1', 'Event', 'EventsV1Event'],
    ['', 'v1', 'Event', 'CoreV1Event'],
    ['discovery.k8s.io', 'v1', 'EndpointSlice', 'V1EndpointSlice'],
    ['autoscaling', 'v1', 'Scale', 'V1Scale'],
  ])('%s/%s %s is %s', (group, version, kind, model) => {
    expect(typeOfKind(group, version, kind)).toBe(model);
  });

  it('answers undefined for an unknown kind', () => {
    expect(typeOfKind('example.com', 'v1', 'Widget')).toBeUndefined();
  });
});

describe('merge-key table', () => {
  it('names only existing fields of the right shape', () => {
    for (const [key, meta] of FIELD_PATCH_META) {
      const [model, field] = key.split('.');
      const info = childOf({ kind: 'object', name: model }, field);
      expect(info, key).toBeDefined();
      if (meta.listType || meta.patchMergeKey) expect(info?.type.kind, key).toBe('list');
      const elem = info?.type.kind === 'list' ? info.type.of : undefined;
      for (const k of [...(meta.listMapKeys ?? []), ...(meta.patchMergeKey ? [meta.patchMergeKey] : [])]) {
        expect(elem?.kind === 'object' && fieldsOf(elem.name)?.[k], `${key} key ${k}`).toBeTruthy();
      }
    }
    for (const model of ATOMIC_STRUCTS) expect(fieldsOf(model), model).toBeDefined();
  });

  it.each([
    ['V1PodSpec', 'containers', { kind: 'map', keys: ['name'], keyDefaults: {} }],
    ['V1Container', 'ports', { kind: 'map', keys: ['containerPort', 'protocol'], keyDefaults: { protocol: 'TCP' } }],
    ['V1ObjectMeta', 'finalizers', { kind: 'set' }],
    ['V1NodeStatus', 'addresses', { kind: 'map', keys: ['type'], keyDefaults: {} }],
    ['V1PodSpec', 'tolerations', { kind: 'atomic' }],
    ['V1JobStatus', 'conditions', { kind: 'atomic' }],
    ['V1Container', 'args', { kind: 'atomic' }],
    ['V1LabelSelector', 'matchExpressions', { kind: 'atomic' }],
  ])('%s.%s list semantics', (model, field, want) => {
    expect(listSemantics(childOf({ kind: 'object', name: model }, field)?.meta)).toEqual(want);
  });
});

describe('unknownFields', () => {
  const deployment = (extra: Record<string, unknown>) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { 'any/key': 'v' }, annotations: {} },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            { name: 'a', image: 'nginx', ports: [{ containerPort: 80 }], resources: { limits: { cpu: '1', 'nvidia.com/gpu': 1 } } },
            { name: 'b', image: 'nginx', bogus: true, env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'x' }, nope: 1 } }] },
          ],
        },
      },
      ...extra,
    },
  });

  it.each([
    ['a valid object', deployment({}), ['spec.template.spec.containers[1].bogus', 'spec.template.spec.containers[1].env[0].valueFrom.nope']],
    ['a top-level spec typo', deployment({ replica: 3 }), ['spec.template.spec.containers[1].bogus', 'spec.template.spec.containers[1].env[0].valueFrom.nope', 'spec.replica']],
  ])('reports upstream paths for %s', (_name, obj, want) => {
    expect(unknownFields('apps', 'v1', 'Deployment', obj)).toEqual(want);
  });

  it.each([
    ['metadata fields', { metadata: { name: 'x', lables: {} } }, ['metadata.lables']],
    ['top-level fields', { apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'b' }, binaryData: {}, extra: 1 }, ['extra']],
    ['managedFields payloads (RawExtension-like)', { metadata: { managedFields: [{ manager: 'm', fieldsV1: { 'f:x': {} } }] } }, []],
    ['non-object values (left to decoding)', { metadata: 'nope', data: [1] }, []],
    ['names that exist on Object.prototype', JSON.parse('{"constructor":1,"metadata":{"toString":"x","__proto__":{}},"data":{"constructor":"ok"}}'), ['constructor', 'metadata.toString', 'metadata.__proto__']],
  ])('ConfigMap: %s', (_name, obj, want) => {
    expect(unknownFields('', 'v1', 'ConfigMap', obj)).toEqual(want);
  });

  it('knows nothing about unknown kinds', () => {
    expect(unknownFields('example.com', 'v1', 'Widget', { spec: { anything: 1 } })).toEqual([]);
  });

  it('prunes unknown fields in place when asked', () => {
    const obj = { metadata: { name: 'x', bogus: 1 }, data: { keep: 'me' }, extra: true };
    expect(pruneUnknownFields('', 'v1', 'ConfigMap', obj)).toEqual(['metadata.bogus', 'extra']);
    expect(obj).toEqual({ metadata: { name: 'x' }, data: { keep: 'me' } });
  });
});

describe('OpenAPI', () => {
  it('names components like upstream', () => {
    expect(openAPIName('V1Deployment')).toBe('io.k8s.api.apps.v1.Deployment');
    expect(openAPIName('V1ObjectMeta')).toBe('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
    expect(openAPIName('V2HorizontalPodAutoscaler')).toBe('io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler');
    expect(openAPIName('CoreV1Event')).toBe('io.k8s.api.core.v1.Event');
    expect(openAPIName('EventsV1Event')).toBe('io.k8s.api.events.v1.Event');
  });

  it('describes a top-level kind with its GVK and refs', () => {
    const s = openAPISchemaFor('V1Deployment') as any;
    expect(s['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
    expect(s.type).toBe('object');
    expect(s.properties.metadata).toEqual({ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' });
    expect(s.properties.kind.type).toBe('string');
  });

  it('carries patch extensions on fields', () => {
    const spec = openAPISchemaFor('V1PodSpec') as any;
    expect(spec.properties.containers).toMatchObject({
      type: 'array',
      items: { $ref: '#/components/schemas/io.k8s.api.core.v1.Container' },
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    });
    const container = openAPISchemaFor('V1Container') as any;
    expect(container.properties.ports['x-kubernetes-list-map-keys']).toEqual(['containerPort', 'protocol']);
    expect(container.properties.resources).toEqual({ $ref: '#/components/schemas/io.k8s.api.core.v1.ResourceRequirements' });
    expect(container.properties.image).toEqual({ type: 'string', description: 'Container image name.' });
    const strategy = (openAPISchemaFor('V1DeploymentSpec') as any).properties.strategy;
    expect(strategy['x-kubernetes-patch-strategy']).toBe('retainKeys');
    expect((openAPISchemaFor('V1LabelSelector') as any)['x-kubernetes-map-type']).toBe('atomic');
  });

  it('names the schema of a kind', () => {
    expect(schemaNameOfKind('', 'v1', 'Pod')).toBe('io.k8s.api.core.v1.Pod');
    expect(schemaNameOfKind('example.com', 'v1', 'Widget')).toBeUndefined();
  });

  it('gathers the closure of components from kinds, every $ref resolving', () => {
    const components = openAPIComponents([{ group: 'apps', version: 'v1', kind: 'Deployment' }, { group: 'x', version: 'v1', kind: 'Nope' }]);
    expect(Object.keys(components)).toEqual(Object.keys(openAPIComponents(['V1Deployment'])));
    expect(components['io.k8s.api.apps.v1.Deployment']).toBeDefined();
    expect(components['io.k8s.api.core.v1.Container']).toBeDefined();
    expect(components['io.k8s.apimachinery.pkg.util.intstr.IntOrString']).toEqual(expect.objectContaining({ format: 'int-or-string' }));
    const refs = JSON.stringify(components).match(/#\/components\/schemas\/[^"]+/g) ?? [];
    for (const r of refs) expect(components[r.slice('#/components/schemas/'.length)], r).toBeDefined();
  });
});
