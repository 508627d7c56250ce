import { describe, expect, it } from 'vitest';
import { defaultHorizontalPodAutoscaler } from '../defaults/autoscaling.js';
import { validateHorizontalPodAutoscaler } from './autoscaling.js';

const kinds = (errs: { type: string; field: string }[]) => errs.map((e) => [e.type, e.field]);

function hpa(before?: (h: any) => void): any {
  const h: any = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: 'default' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 10 },
  };
  before?.(h);
  defaultHorizontalPodAutoscaler(h);
  return h;
}

const metric = (m: any) => (h: any) => (h.spec.metrics = [m]);

describe('HorizontalPodAutoscaler', () => {
  it.each<[string, ((h: any) => void) | undefined]>([
    ['defaulted', undefined],
    ['memory average value', metric({ type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } } })],
    ['pods metric', metric({ type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } })],
    ['object metric', metric({ type: 'Object', object: { describedObject: { kind: 'Ingress', name: 'main', apiVersion: 'networking.k8s.io/v1' }, metric: { name: 'rps' }, target: { type: 'Value', value: '2k' } } })],
    ['external metric', metric({ type: 'External', external: { metric: { name: 'queue' }, target: { type: 'AverageValue', averageValue: '30' } } })],
    ['behavior', (h) => (h.spec.behavior = { scaleDown: { stabilizationWindowSeconds: 60, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } })],
  ])('accepts %s', (_, before) => {
    expect(validateHorizontalPodAutoscaler(hpa(before))).toEqual([]);
  });

  it.each<[string, (h: any) => void, [string, string][]]>([
    ['no target kind', (h) => delete h.spec.scaleTargetRef.kind, [['FieldValueRequired', 'spec.scaleTargetRef.kind']]],
    ['no target name', (h) => delete h.spec.scaleTargetRef.name, [['FieldValueRequired', 'spec.scaleTargetRef.name']]],
    ['target name with a slash', (h) => (h.spec.scaleTargetRef.name = 'a/b'), [['FieldValueInvalid', 'spec.scaleTargetRef.name']]],
    ['minReplicas 0', (h) => (h.spec.minReplicas = 0), [['FieldValueInvalid', 'spec.minReplicas']]],
    ['maxReplicas below minReplicas', (h) => Object.assign(h.spec, { minReplicas: 5, maxReplicas: 3 }), [['FieldValueInvalid', 'spec.maxReplicas']]],
    ['maxReplicas 0', (h) => (h.spec.maxReplicas = 0), [['FieldValueInvalid', 'spec.maxReplicas'], ['FieldValueInvalid', 'spec.maxReplicas']]],
    // Upstream reports an unknown type twice (validateObject removes the repeat).
    ['unknown metric type', metric({ type: 'Magic' }), [['FieldValueNotSupported', 'spec.metrics[0].type'], ['FieldValueNotSupported', 'spec.metrics[0].type']]],
    ['type without its source', metric({ type: 'Resource', pods: { metric: { name: 'x' }, target: { type: 'AverageValue', averageValue: '1' } } }), [['FieldValueRequired', 'spec.metrics[0].resource']]],
    ['resource without a target value', metric({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization' } } }), [['FieldValueRequired', 'spec.metrics[0].resource.target.averageUtilization']]],
    ['both utilization and value', metric({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50, averageValue: '1' } } }), [['FieldValueForbidden', 'spec.metrics[0].resource.target.averageValue']]],
    ['bad target type', metric({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Percent', averageUtilization: 50 } } }), [['FieldValueInvalid', 'spec.metrics[0].resource.target.type']]],
    ['utilization 0', metric({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 0 } } }), [['FieldValueInvalid', 'spec.metrics[0].resource.target.averageUtilization']]],
    ['behavior policy period too long', (h) => (h.spec.behavior = { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 3600 }] } }), [['FieldValueInvalid', 'spec.behavior.scaleUp.policies[0].periodSeconds']]],
    ['bad select policy', (h) => (h.spec.behavior = { scaleUp: { selectPolicy: 'Avg' } }), [['FieldValueNotSupported', 'spec.behavior.scaleUp.selectPolicy']]],
  ])('%s', (_, before, expected) => {
    expect(kinds(validateHorizontalPodAutoscaler(hpa(before)))).toEqual(expected);
  });

  it('words errors as upstream', () => {
    expect(validateHorizontalPodAutoscaler(hpa((h) => Object.assign(h.spec, { minReplicas: 5, maxReplicas: 3 })))[0]!.message).toBe(
      'Invalid value: 3: must be greater than or equal to `minReplicas`',
    );
    expect(validateHorizontalPodAutoscaler(hpa((h) => (h.spec.minReplicas = 0)))[0]!.message).toBe('Invalid value: 0: must be greater than or equal to 1');
  });
});
