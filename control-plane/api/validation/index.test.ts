import { describe, expect, it } from 'vitest';
import { RESOURCES } from '../registry.js';
import { defaulters } from '../defaults/index.js';
import { validateObject, validators } from './index.js';

describe('validators', () => {
  it('has a validator and a defaulter for every storage key in the registry', () => {
    const keys = [...new Set(RESOURCES.map((r) => r.storage))].sort();
    expect(Object.keys(validators).sort()).toEqual(keys);
    expect(Object.keys(defaulters).sort()).toEqual(keys);
  });

  it.each([...new Set(RESOURCES.map((r) => r.storage))])('%s never throws on malformed input', (storage) => {
    for (const junk of [{}, { metadata: 'x', spec: 5 }, { spec: { containers: 'x', template: [] }, data: 7, rules: {} }]) {
      const obj = structuredClone(junk);
      expect(() => defaulters[storage]!(obj)).not.toThrow();
      expect(Array.isArray(validateObject(storage, obj))).toBe(true);
      expect(Array.isArray(validateObject(storage, obj, structuredClone(junk)))).toBe(true);
    }
  });
});

describe('validateObject', () => {
  it('reports each distinct error once', () => {
    const hpa = {
      metadata: { name: 'h', namespace: 'd' },
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 2, metrics: [{ type: 'Magic' }] },
    };
    const errs = validateObject('autoscaling/horizontalpodautoscalers', hpa);
    expect(errs.map((e) => e.field)).toEqual(['spec.metrics[0].type']);
  });

  it('refuses an unknown storage key', () => {
    expect(() => validateObject('core/widgets', {})).toThrowError('no validator registered for core/widgets');
  });
});
