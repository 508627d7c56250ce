import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StatusError } from '../../api/status.js';
import { typeOfKind } from '../../api/schema/index.js';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';
import bodies from './testdata/kubectl-bodies.json' with { type: 'json' };
import objectsData from './testdata/objects.json' with { type: 'json' };
import casesData from './testdata/strategic-merge-patch-cases.json' with { type: 'json' };

/**
 * Every expected result and error message in strategic-merge-patch-cases.json was recorded from
 * `kubectl patch --local --type strategic` (kubectl 1.33.1), which runs upstream's strategicpatch
 * package on the same object and patch. Patch bodies named "kubectl ..." are the ones kubectl sent
 * to a real API server (testdata/kubectl-bodies.json).
 */
interface Case {
  name: string;
  object: string;
  patch: unknown;
  expected?: Record<string, unknown>;
  error?: { code: number; message: string };
}

const objects = objectsData as Record<string, any>;
const cases = casesData as Case[];

function typeNameOf(obj: any): string | undefined {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  return typeOfKind(group, version, obj.kind);
}

describe('applyStrategicMergePatch (results recorded from upstream)', () => {
  it.each(cases.filter((c) => c.expected).map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const original = structuredClone(objects[c.object]);
    const result = applyStrategicMergePatch(original, structuredClone(c.patch), typeNameOf(original));
    expect(result).toEqual(c.expected);
    expect(original).toEqual(objects[c.object]); // inputs are not modified
  });

  it.each(cases.filter((c) => c.error).map((c) => [c.name, c] as const))('refuses: %s', (_name, c) => {
    const original = objects[c.object];
    let err: unknown;
    try {
      applyStrategicMergePatch(original, c.patch, typeNameOf(original));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StatusError);
    const status = err as StatusError;
    expect(status.code).toBe(c.error?.code);
    if (status.code === 400) expect(status.message.trimEnd()).toBe(c.error?.message);
    else expect((status.cause as Error).message).toBe(c.error?.message);
  });
});

describe('applyStrategicMergePatch', () => {
  const deployment = objects.deployment;

  it('applies kubectl set image to the container named in the patch only', () => {
    const out = applyStrategicMergePatch(deployment, bodies['set-image'].body, 'V1Deployment') as any;
    expect(out.spec.template.spec.containers.map((c: any) => [c.name, c.image])).toEqual([
      ['nginx', 'nginx:1.27'],
      ['sidecar', 'busybox'],
      ['logger', 'fluentd'],
    ]);
  });

  it('without a type, merges maps and replaces lists', () => {
    const out = applyStrategicMergePatch(deployment, { metadata: { labels: { x: 'y' } }, spec: { template: { spec: { containers: [{ name: 'n', image: 'i' }] } } } }, undefined) as any;
    expect(out.metadata.labels).toEqual({ app: 'web', x: 'y' });
    expect(out.spec.template.spec.containers).toEqual([{ name: 'n', image: 'i' }]);
  });

  it('returns a value that shares nothing with the original', () => {
    const original = structuredClone(deployment);
    const out = applyStrategicMergePatch(original, { metadata: { labels: { x: 'y' } } }, 'V1Deployment') as any;
    out.spec.template.spec.containers[0].image = 'changed';
    expect(original).toEqual(deployment);
  });

  it.each([
    ['an array', [{ op: 'add' }], 'json: cannot unmarshal array into Go value of type map[string]interface {}'],
    ['a string', 'x', 'json: cannot unmarshal string into Go value of type map[string]interface {}'],
    ['null', null, 'json: cannot unmarshal null into Go value of type map[string]interface {}'],
  ])('refuses %s as a patch with 400', (_name, patch, message) => {
    expect(() => applyStrategicMergePatch(deployment, patch, 'V1Deployment')).toThrow(expect.objectContaining({ code: 400, message }));
  });

  it('throws nothing but StatusErrors for arbitrary patches', () => {
    const key = fc.constantFrom('metadata', 'spec', 'template', 'containers', 'name', 'image', 'finalizers', 'labels', 'ports', 'containerPort', 'volumes', 'strategy', '$patch', '$retainKeys', '$setElementOrder/containers', '$setElementOrder/finalizers', '$deleteFromPrimitiveList/finalizers', '$setElementOrder/', 'x', 'constructor', '__proto__', 'toString');
    const patch = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.constantFrom(null, 'delete', 'replace', 'merge', 'nginx', 80, true), fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(key, tie('value'), { maxKeys: 4 })),
    })).value;
    fc.assert(
      fc.property(fc.dictionary(key, patch, { maxKeys: 4 }), (p) => {
        try {
          applyStrategicMergePatch(deployment, p, 'V1Deployment');
        } catch (e) {
          if (!(e instanceof StatusError)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });
});
