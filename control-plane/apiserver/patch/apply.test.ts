import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StatusError } from '../../api/status.js';
import { LAST_APPLIED_ANNOTATION, applyServerSide, type ApplyArgs } from './apply.js';
import { updateManagedFields } from './managed-fields.js';
import bodies from './testdata/kubectl-bodies.json' with { type: 'json' };

const T0 = new Date('2025-06-01T10:00:00Z');
const T1 = new Date('2025-06-01T10:05:00Z');
const T2 = new Date('2025-06-01T10:09:00Z');

const ssaCreate = bodies['ssa-create'].body as any;
const ssaUpdate = bodies['ssa-update'].body as any;

function apply(args: Partial<ApplyArgs> & Pick<ApplyArgs, 'applied'>): any {
  return applyServerSide({ live: undefined, manager: 'kubectl', force: false, apiVersion: 'apps/v1', now: T1, resetFields: ['status'], ...args }).object;
}

function failure(args: Partial<ApplyArgs> & Pick<ApplyArgs, 'applied'>): StatusError {
  try {
    apply(args);
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  throw new Error('expected a StatusError');
}

/** What the API server does between requests: defaults and server-set metadata. */
function stored(obj: any): any {
  const out = structuredClone(obj);
  Object.assign(out.metadata, { uid: 'uid-1', resourceVersion: '10', generation: 1, creationTimestamp: '2025-06-01T10:00:00Z' });
  Object.assign(out.spec, { progressDeadlineSeconds: 600, revisionHistoryLimit: 10, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } });
  for (const c of out.spec.template.spec.containers) {
    c.imagePullPolicy ??= 'IfNotPresent';
    for (const p of c.ports ?? []) p.protocol ??= 'TCP';
  }
  return out;
}

const managersOf = (obj: any) => obj.metadata.managedFields.map((m: any) => [m.manager, m.operation]);
const fieldsOf = (obj: any, manager: string) => obj.metadata.managedFields.find((m: any) => m.manager === manager)?.fieldsV1;

// What upstream records for kubectl's server-side apply of the probe's Deployment.
const KUBECTL_FIELDS = {
  'f:metadata': { 'f:labels': { 'f:app': {} } },
  'f:spec': {
    'f:replicas': {},
    'f:selector': {},
    'f:template': {
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:containers': {
          'k:{"name":"nginx"}': {
            '.': {},
            'f:image': {},
            'f:name': {},
            'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
          },
        },
      },
    },
  },
};

describe('applyServerSide', () => {
  it('creates the object when there is none (kubectl apply --server-side)', () => {
    const obj = apply({ applied: ssaCreate, now: T0 });
    const { managedFields, ...metadata } = obj.metadata;
    expect({ ...obj, metadata }).toEqual(ssaCreate);
    expect(managedFields).toEqual([{ manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: '2025-06-01T10:00:00Z', fieldsType: 'FieldsV1', fieldsV1: KUBECTL_FIELDS }]);
    expect(JSON.stringify(managedFields[0].fieldsV1)).toBe(JSON.stringify(KUBECTL_FIELDS)); // key order too
  });

  it('changes nothing when the same configuration is applied again', () => {
    const live = stored(apply({ applied: ssaCreate, now: T0 }));
    expect(apply({ live, applied: ssaCreate, now: T2 })).toEqual(live);
  });

  it('updates what changed and stamps the applier (kubectl apply --server-side of a new image)', () => {
    const live = stored(apply({ applied: ssaCreate, now: T0 }));
    const out = apply({ live, applied: ssaUpdate, now: T1 });
    expect(out.spec.template.spec.containers[0]).toEqual({ name: 'nginx', image: 'nginx:1.26', imagePullPolicy: 'IfNotPresent', ports: [{ containerPort: 80, protocol: 'TCP' }] });
    expect(out.spec.strategy).toEqual(live.spec.strategy);
    expect(out.metadata.uid).toBe('uid-1');
    expect(out.metadata.managedFields).toEqual([{ ...live.metadata.managedFields[0], time: '2025-06-01T10:05:00Z' }]);
  });

  it('refuses a change to a field another applier owns, naming it as upstream does', () => {
    const live = stored(apply({ applied: ssaCreate, now: T0 }));
    const err = failure({ live, manager: 'hpa-tool', applied: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api' }, spec: { replicas: 5 } } });
    expect(err.code).toBe(409);
    expect(err.reason).toBe('Conflict');
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas');
    expect(err.details).toEqual({ causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl"', field: '.spec.replicas' }] });
  });

  it('names Update managers with their apiVersion and lists several conflicts per manager', () => {
    const created = updateManagedFields({ newObj: stored(ssaCreate), manager: 'kubectl-client-side-apply', apiVersion: 'apps/v1', now: T0, resetFields: ['status'] });
    const changed = structuredClone(ssaUpdate);
    changed.spec.replicas = 3;
    const err = failure({ live: created, manager: 'other', applied: changed });
    expect(err.message).toBe(
      'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image',
    );
    expect(err.details?.causes).toEqual([
      { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' },
      { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.template.spec.containers[name="nginx"].image' },
    ]);
  });

  it('moves conflicting fields to the applier with force', () => {
    const live = stored(apply({ applied: ssaCreate, now: T0 }));
    const out = apply({ live, manager: 'hpa-tool', force: true, applied: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api' }, spec: { replicas: 5 } } });
    expect(out.spec.replicas).toBe(5);
    expect(managersOf(out)).toEqual([['kubectl', 'Apply'], ['hpa-tool', 'Apply']]);
    expect(fieldsOf(out, 'hpa-tool')).toEqual({ 'f:spec': { 'f:replicas': {} } });
    expect(fieldsOf(out, 'kubectl')['f:spec']['f:replicas']).toBeUndefined();
    expect(fieldsOf(out, 'kubectl')['f:spec']['f:selector']).toEqual({});
  });

  it('shares fields applied with the same value, without conflict', () => {
    const live = stored(apply({ applied: ssaCreate, now: T0 }));
    const out = apply({ live, manager: 'other', applied: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api' }, spec: { replicas: 2 } } });
    expect(fieldsOf(out, 'other')).toEqual({ 'f:spec': { 'f:replicas': {} } });
    expect(fieldsOf(out, 'kubectl')['f:spec']['f:replicas']).toEqual({});
    expect(out.metadata.managedFields.find((m: any) => m.manager === 'other').time).toBeUndefined(); // the object did not change
  });

  it('removes fields the applier no longer applies, with what the server defaulted inside them', () => {
    const live = stored(apply({ applied: ssaCreate, now: T0 }));
    const next = structuredClone(ssaUpdate);
    delete next.spec.replicas;
    delete next.spec.template.spec.containers[0].ports;
    const out = apply({ live, applied: next });
    expect(out.spec.replicas).toBeUndefined();
    expect(out.spec.template.spec.containers[0]).toEqual({ name: 'nginx', image: 'nginx:1.26', imagePullPolicy: 'IfNotPresent' });
    expect(out.spec.strategy).toEqual(live.spec.strategy); // owned by nobody, never applied: kept
    expect(fieldsOf(out, 'kubectl')['f:spec']['f:replicas']).toBeUndefined();
  });

  it('keeps a field the applier drops while another manager still owns it', () => {
    const live = stored(apply({ applied: ssaCreate, now: T0 }));
    const shared = apply({ live, manager: 'other', applied: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api' }, spec: { replicas: 2 } } });
    const next = structuredClone(ssaCreate);
    delete next.spec.replicas;
    const out = apply({ live: shared, applied: next });
    expect(out.spec.replicas).toBe(2);
    expect(fieldsOf(out, 'other')).toEqual({ 'f:spec': { 'f:replicas': {} } });
  });

  it('removes list items the applier no longer applies and keeps the order of the rest', () => {
    const two = structuredClone(ssaCreate);
    two.spec.template.spec.containers.push({ name: 'sidecar', image: 'busybox' });
    const live = stored(apply({ applied: two, now: T0 }));
    const out = apply({ live, applied: ssaCreate });
    expect(out.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['nginx']);
    expect(fieldsOf(out, 'kubectl')).toEqual(KUBECTL_FIELDS);
  });

  it('merges containers by name, keeping live-only items in place', () => {
    const live = stored(apply({ applied: ssaCreate, now: T0 }));
    live.spec.template.spec.containers.unshift({ name: 'injected', image: 'proxy' });
    const next = structuredClone(ssaUpdate);
    next.spec.template.spec.containers.push({ name: 'late', image: 'x' });
    const out = apply({ live, applied: next });
    expect(out.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['injected', 'nginx', 'late']);
  });

  it('treats finalizers as a set', () => {
    const obj = apply({ applied: { ...ssaCreate, metadata: { ...ssaCreate.metadata, finalizers: ['example.com/x'] } } });
    expect(fieldsOf(obj, 'kubectl')['f:metadata']['f:finalizers']).toEqual({ 'v:"example.com/x"': {} });
  });

  it('does not track fields the endpoint resets (status on the main resource)', () => {
    const obj = apply({ applied: { ...ssaCreate, status: { replicas: 9 } } });
    expect(fieldsOf(obj, 'kubectl')['f:status']).toBeUndefined();
  });

  it('lets kubectl-last-applied own the annotation kubectl 1.33 applies separately', () => {
    const live = stored(apply({ applied: bodies['ssa-same'].body, now: T0 }));
    const lastApplied = bodies['ssa-same-last-applied'].body as any;
    const out = apply({ live, manager: 'kubectl-last-applied', applied: lastApplied });
    expect(out.metadata.annotations).toEqual(lastApplied.metadata.annotations);
    expect(fieldsOf(out, 'kubectl-last-applied')).toEqual({ 'f:metadata': { 'f:annotations': { [`f:${LAST_APPLIED_ANNOTATION}`]: {} } } });
    expect(out.spec).toEqual(live.spec);
  });

  it('assigns the fields of an untracked object to before-first-apply first', () => {
    const untracked = stored(ssaCreate);
    const err = failure({ live: untracked, manager: 'other', applied: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api' }, spec: { replicas: 7 } } });
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas');
    const out = apply({ live: untracked, applied: ssaCreate });
    expect(managersOf(out)).toEqual([['kubectl', 'Apply'], ['before-first-apply', 'Update']]);
    expect(fieldsOf(out, 'before-first-apply')['f:spec']['f:replicas']).toEqual({});
  });

  it('records applies through a subresource separately', () => {
    const live = stored(apply({ applied: ssaCreate, now: T0 }));
    const out = apply({ live, subresource: 'status', resetFields: ['spec'], manager: 'ctrl', applied: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api' }, status: { replicas: 2 } } });
    expect(out.metadata.managedFields[1]).toMatchObject({ manager: 'ctrl', operation: 'Apply', subresource: 'status', fieldsV1: { 'f:status': { 'f:replicas': {} } } });
  });

  describe('client-side to server-side apply upgrade (manager kubectl)', () => {
    const csaConfig = bodies['ssa-same'].body as any;
    const csaStored = () => {
      const obj = stored(csaConfig);
      obj.metadata.annotations = { [LAST_APPLIED_ANNOTATION]: `${JSON.stringify(csaConfig)}\n` };
      return updateManagedFields({ newObj: obj, manager: 'kubectl-client-side-apply', apiVersion: 'apps/v1', now: T0, resetFields: ['status'] });
    };

    it('takes over fields kubectl applied client-side, and keeps last-applied in step', () => {
      const next = structuredClone(csaConfig);
      next.spec.template.spec.containers[0].image = 'nginx:1.26';
      const out = apply({ live: csaStored(), applied: next });
      expect(out.spec.template.spec.containers[0].image).toBe('nginx:1.26');
      expect(JSON.parse(out.metadata.annotations[LAST_APPLIED_ANNOTATION])).toEqual(next);
      expect(out.metadata.annotations[LAST_APPLIED_ANNOTATION].endsWith('\n')).toBe(true);
      const csa = fieldsOf(out, 'kubectl-client-side-apply');
      const container = csa['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"nginx"}'];
      expect(container['f:image']).toBeUndefined();
      expect(container['f:imagePullPolicy']).toEqual({});
    });

    it('still refuses other managers', () => {
      const next = structuredClone(csaConfig);
      next.spec.template.spec.containers[0].image = 'nginx:1.26';
      expect(failure({ live: csaStored(), manager: 'someone', applied: next }).code).toBe(409);
    });

    it('still refuses fields changed since kubectl last applied them', () => {
      const live = csaStored();
      const scaled = updateManagedFields({ oldObj: live, newObj: { ...live, spec: { ...live.spec, replicas: 5 } }, manager: 'kubectl-scale', apiVersion: 'apps/v1', now: T1 });
      const err = failure({ live: scaled, applied: csaConfig });
      expect(err.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas');
    });
  });

  describe('malformed applies', () => {
    it.each([
      ['a list', [ssaCreate], 'error decoding YAML: the apply patch must be an object'],
      ['null', null, 'error decoding YAML: the apply patch must be an object'],
      ['managedFields', { ...ssaCreate, metadata: { ...ssaCreate.metadata, managedFields: [] } }, 'metadata.managedFields must be nil'],
      ['another apiVersion', { ...ssaCreate, apiVersion: 'apps/v2' }, 'invalid object type: apps/v2, Kind=Deployment'],
      ['another kind', { ...ssaCreate, kind: 'StatefulSet' }, 'invalid object type: apps/v1, Kind=StatefulSet'],
      ['no type meta', { metadata: { name: 'x' } }, 'invalid object type: /, Kind='],
      [
        'a container without its name',
        { ...ssaCreate, spec: { template: { spec: { containers: [{ image: 'x' }] } } } },
        'failed to create typed patch object (default/api; apps/v1, Kind=Deployment): .spec.template.spec.containers: element 0: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)',
      ],
    ])('refuses %s with 400', (_name, applied, message) => {
      expect(failure({ applied, typeName: 'V1Deployment' })).toMatchObject({ code: 400, reason: 'BadRequest', message });
    });

    it('throws nothing but StatusErrors for arbitrary bodies', () => {
      const live = stored(apply({ applied: ssaCreate, now: T0 }));
      const leaf = fc.oneof(fc.constantFrom(null, 'nginx', 80, true, 'apps/v1', 'Deployment', 'TCP'), fc.constant({}));
      const value = fc.letrec((tie) => ({
        v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(fc.constantFrom('name', 'image', 'containerPort', 'protocol', 'containers', 'ports', 'spec', 'template', 'x', 'constructor', '__proto__'), tie('v'), { maxKeys: 3 })),
      })).v;
      fc.assert(
        fc.property(value, fc.boolean(), (spec, force) => {
          try {
            apply({ live, force, manager: 'fuzz', applied: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api' }, spec } });
          } catch (e) {
            if (!(e instanceof StatusError)) throw e;
          }
        }),
        { numRuns: 1000 },
      );
    });
  });
});
