import { describe, expect, it } from 'vitest';
import { cannotDecode, decodeTypes, rfc3339Problem, typeMismatch } from './type-check.js';

const deployment = (spec: unknown, metadata: unknown = { name: 'web' }) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec });
const podSpec = (spec: Record<string, unknown>) => deployment({ selector: { matchLabels: { app: 'web' } }, template: { spec } });

describe('typeMismatch', () => {
  it.each([
    ['a valid Deployment', deployment({ replicas: 3, strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } } })],
    ['nulls anywhere', deployment({ replicas: null, selector: null, template: { metadata: null, spec: { containers: [null] } } }, { name: 'web', labels: null })],
    ['quantities as strings and numbers', podSpec({ containers: [{ name: 'c', resources: { limits: { cpu: 1, memory: '1Gi' }, requests: { cpu: 0.5 } } }] })],
    ['RFC 3339 times, with fractions and offsets', deployment({}, { name: 'web', creationTimestamp: '2024-02-29T23:59:59.123456+02:00' })],
    ['int64 beyond 2^53', podSpec({ activeDeadlineSeconds: 2 ** 60, containers: [] })],
    ['undeclared fields of any type', deployment({ bogus: [1, { x: true }] })],
    ['anything in a RawExtension', { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r' }, revision: 1, data: [[[1]], 'x'] }],
  ])('accepts %s', (_name, obj) => {
    expect(typeMismatch('apps', 'v1', obj.kind, obj)).toBeUndefined();
  });

  it.each([
    ['a string for an int32', deployment({ replicas: '3' }), 'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32'],
    ['a fraction for an int32', deployment({ replicas: 1.5 }), 'json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32'],
    ['an int32 out of range', deployment({ replicas: 2 ** 31 }), 'json: cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas of type int32'],
    ['an object for a struct list', podSpec({ containers: { name: 'c' } }), 'json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container'],
    ['a string for a struct', deployment({ template: 'x' }), 'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.template of type v1.PodTemplateSpec'],
    ['an array for the spec', deployment([1]), 'json: cannot unmarshal array into Go struct field Deployment.spec of type v1.DeploymentSpec'],
    ['a number for a label value', deployment({}, { name: 'web', labels: { app: 1 } }), 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string'],
    ['a bool in a string list', podSpec({ containers: [{ name: 'c', args: ['a', true] }] }), 'json: cannot unmarshal bool into Go struct field Container.spec.template.spec.containers.args of type string'],
    ['a string for a bool', podSpec({ hostNetwork: 'yes' }), 'json: cannot unmarshal string into Go struct field PodSpec.spec.template.spec.hostNetwork of type bool'],
    ['an object for an IntOrString', deployment({ strategy: { rollingUpdate: { maxSurge: {} } } }), 'json: cannot unmarshal object into Go struct field RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge of type int32'],
    ['a number for a timestamp', deployment({}, { name: 'web', creationTimestamp: 5 }), 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp of type string'],
    ['a bad timestamp', deployment({}, { name: 'web', creationTimestamp: 'yesterday' }), 'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"'],
    ['a list for a quantity', podSpec({ containers: [{ name: 'c', resources: { limits: { cpu: [1] } } }] }), "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"],
    ['a string for a quantity map', podSpec({ containers: [{ name: 'c', resources: { limits: '1' } }] }), 'json: cannot unmarshal string into Go struct field ResourceRequirements.spec.template.spec.containers.resources.limits of type map[string]resource.Quantity'],
  ])('refuses %s', (_name, obj, message) => {
    expect(typeMismatch('apps', 'v1', 'Deployment', obj)).toBe(message);
  });

  it('reports the first mismatch in document order', () => {
    expect(typeMismatch('apps', 'v1', 'Deployment', deployment({ replicas: 'a', paused: 'b' }))).toContain('spec.replicas');
  });

  it('names the struct of another group and version', () => {
    const hpa = { metadata: { name: 'h' }, spec: { maxReplicas: '3' } };
    expect(typeMismatch('autoscaling', 'v2', 'HorizontalPodAutoscaler', hpa)).toBe(
      'json: cannot unmarshal string into Go struct field HorizontalPodAutoscalerSpec.spec.maxReplicas of type int32',
    );
    const secret = { metadata: { name: 's' }, data: { k: 1 } };
    expect(typeMismatch('', 'v1', 'Secret', secret)).toBe('json: cannot unmarshal number into Go struct field Secret.data of type []uint8');
  });

  it('passes kinds the schema does not know and non-objects', () => {
    expect(typeMismatch('example.com', 'v1', 'Widget', { spec: 1 })).toBeUndefined();
    expect(typeMismatch('apps', 'v1', 'Deployment', [1])).toBeUndefined();
  });
});

describe('rfc3339Problem', () => {
  it.each(['2024-01-01T00:00:00Z', '2024-01-01T00:00:00.000000Z', '2024-01-01T10:00:00-07:30', '2000-02-29T00:00:00Z'])('accepts %s', (s) => {
    expect(rfc3339Problem(s)).toBeUndefined();
  });

  it.each([
    ['', 'parsing time "" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "2006"'],
    ['2024-01-01 00:00:00Z', 'parsing time "2024-01-01 00:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse " 00:00:00Z" as "T"'],
    ['2024-01-01T00:00:00', 'parsing time "2024-01-01T00:00:00" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "Z07:00"'],
    ['2024-01-01T00:00:00Zjunk', 'parsing time "2024-01-01T00:00:00Zjunk": extra text: "junk"'],
    ['2024-13-01T00:00:00Z', 'parsing time "2024-13-01T00:00:00Z": month out of range'],
    ['2023-02-29T00:00:00Z', 'parsing time "2023-02-29T00:00:00Z": day out of range'],
    ['2024-01-01T24:00:00Z', 'parsing time "2024-01-01T24:00:00Z": hour out of range'],
  ])('refuses %j', (s, message) => {
    expect(rfc3339Problem(s)).toBe(message);
  });
});

describe('decodeTypes', () => {
  it('gives null list items and map values their zero value, leaving null fields alone', () => {
    const obj: any = podSpec({
      containers: [null, { name: 'c', args: [null, 'a'], resources: { limits: { cpu: null } }, ports: [{ containerPort: 80, hostIP: null }] }],
      tolerations: [null],
      nodeSelector: { a: null },
    });
    obj.metadata = { name: 'web', labels: { app: null }, creationTimestamp: null };
    expect(decodeTypes('apps', 'v1', 'Deployment', obj)).toBeUndefined();
    const spec = obj.spec.template.spec;
    expect(spec.containers[0]).toEqual({});
    expect(spec.containers[1].args).toEqual(['', 'a']);
    expect(spec.containers[1].resources.limits.cpu).toBe('0');
    expect(spec.containers[1].ports[0].hostIP).toBeNull();
    expect(spec.tolerations).toEqual([{}]);
    expect(spec.nodeSelector).toEqual({ a: '' });
    expect(obj.metadata).toEqual({ name: 'web', labels: { app: '' }, creationTimestamp: null });
  });

  it('reports mismatches as typeMismatch does, which leaves its input alone', () => {
    const obj = podSpec({ containers: [null], hostNetwork: 'yes' });
    const copy = structuredClone(obj);
    expect(typeMismatch('apps', 'v1', 'Deployment', obj)).toContain('hostNetwork');
    expect(obj).toEqual(copy);
    expect(decodeTypes('apps', 'v1', 'Deployment', obj)).toContain('hostNetwork');
  });
});

describe('cannotDecode', () => {
  it("is upstream's 400 for a body that does not decode", () => {
    const err = cannotDecode('Deployment', 'v1', 'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
    expect(err.code).toBe(400);
    expect(err.reason).toBe('BadRequest');
    expect(err.message).toBe('Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
  });
});
