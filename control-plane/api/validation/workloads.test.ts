import { describe, expect, it } from 'vitest';
import { defaultDaemonSet, defaultDeployment, defaultReplicaSet, defaultStatefulSet } from '../defaults/workloads.js';
import { validateControllerRevision, validateDaemonSet, validateDeployment, validateReplicaSet, validateStatefulSet } from './workloads.js';

const template = () => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } });
const kinds = (errs: { type: string; field: string }[]) => errs.map((e) => [e.type, e.field]);

function make(kind: string, defaulter: (o: any) => void, extra: Record<string, any>, before?: (o: any) => void, after?: (o: any) => void): any {
  const obj: any = { apiVersion: 'apps/v1', kind, metadata: { name: 'web', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'web' } }, template: template(), ...extra } };
  before?.(obj);
  defaulter(obj);
  after?.(obj);
  return obj;
}

const deployment = (before?: (o: any) => void, after?: (o: any) => void) => make('Deployment', defaultDeployment, {}, before, after);
const replicaSet = (before?: (o: any) => void) => make('ReplicaSet', defaultReplicaSet, {}, before);
const daemonSet = (before?: (o: any) => void) => make('DaemonSet', defaultDaemonSet, {}, before);
const statefulSet = (before?: (o: any) => void) => make('StatefulSet', defaultStatefulSet, { serviceName: 'web' }, before);

describe('Deployment', () => {
  it('accepts a defaulted deployment', () => {
    expect(validateDeployment(deployment())).toEqual([]);
  });

  it.each<[string, (o: any) => void, ((o: any) => void) | undefined, [string, string][]]>([
    ['negative replicas', (d) => (d.spec.replicas = -1), undefined, [['FieldValueInvalid', 'spec.replicas']]],
    ['missing selector', (d) => delete d.spec.selector, undefined, [['FieldValueRequired', 'spec.selector'], ['FieldValueInvalid', 'spec.template.metadata.labels']]],
    ['empty selector', (d) => (d.spec.selector = {}), undefined, [['FieldValueInvalid', 'spec.selector']]],
    ['selector not matching the template', (d) => (d.spec.selector = { matchLabels: { app: 'other' } }), undefined, [['FieldValueInvalid', 'spec.template.metadata.labels']]],
    ['template restartPolicy Never', (d) => (d.spec.template.spec.restartPolicy = 'Never'), undefined, [['FieldValueNotSupported', 'spec.template.spec.restartPolicy']]],
    ['template container without image', (d) => delete d.spec.template.spec.containers[0].image, undefined, [['FieldValueRequired', 'spec.template.spec.containers[0].image']]],
    ['bad template label', (d) => (d.spec.template.metadata.labels['bad key'] = 'x'), undefined, [['FieldValueInvalid', 'spec.template.labels']]],
    ['both surge and unavailable 0', (d) => (d.spec.strategy = { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } }), undefined, [['FieldValueInvalid', 'spec.strategy.rollingUpdate.maxUnavailable']]],
    ['bad percent', (d) => (d.spec.strategy = { rollingUpdate: { maxSurge: '25 percent' } }), undefined, [['FieldValueInvalid', 'spec.strategy.rollingUpdate.maxSurge']]],
    ['maxUnavailable over 100%', (d) => (d.spec.strategy = { rollingUpdate: { maxUnavailable: '150%' } }), undefined, [['FieldValueInvalid', 'spec.strategy.rollingUpdate.maxUnavailable']]],
    ['negative maxSurge', (d) => (d.spec.strategy = { rollingUpdate: { maxSurge: -1 } }), undefined, [['FieldValueInvalid', 'spec.strategy.rollingUpdate.maxSurge']]],
    ['Recreate with rollingUpdate', (d) => (d.spec.strategy = { type: 'Recreate', rollingUpdate: {} }), undefined, [['FieldValueForbidden', 'spec.strategy.rollingUpdate']]],
    ['unknown strategy', (d) => (d.spec.strategy = { type: 'BlueGreen' }), undefined, [['FieldValueNotSupported', 'spec.strategy']]],
    ['negative revisionHistoryLimit', (d) => (d.spec.revisionHistoryLimit = -1), undefined, [['FieldValueInvalid', 'spec.revisionHistoryLimit']]],
    ['progress deadline below minReadySeconds', (d) => Object.assign(d.spec, { minReadySeconds: 30, progressDeadlineSeconds: 10 }), undefined, [['FieldValueInvalid', 'spec.progressDeadlineSeconds']]],
    ['missing name', (d) => delete d.metadata.name, undefined, [['FieldValueRequired', 'metadata.name']]],
  ])('%s', (_, before, after, expected) => {
    expect(kinds(validateDeployment(deployment(before, after)))).toEqual(expected);
  });

  it('prints upstream messages for selectors', () => {
    const [mismatch] = validateDeployment(deployment((d) => (d.spec.selector = { matchLabels: { app: 'other' } })));
    expect(mismatch!.message).toBe('Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`');
    const [zero] = validateDeployment(deployment((d) => (d.spec.strategy = { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } })));
    expect(zero!.message).toBe('Invalid value: 0: may not be 0 when `maxSurge` is 0');
  });

  it('keeps the selector immutable on update', () => {
    const old = deployment();
    const next = deployment((d) => {
      d.spec.selector = { matchLabels: { app: 'web', tier: 'x' } };
      d.spec.template.metadata.labels.tier = 'x';
    });
    const errs = validateDeployment(next, old);
    expect(kinds(errs)).toEqual([['FieldValueInvalid', 'spec.selector']]);
    expect(errs[0]!.message).toBe(
      'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    );
    expect(validateDeployment(deployment((d) => (d.spec.replicas = 3)), old)).toEqual([]);
  });
});

describe('ReplicaSet', () => {
  it('accepts a defaulted replica set', () => {
    expect(validateReplicaSet(replicaSet())).toEqual([]);
  });
  it('refuses an empty selector with upstream wording', () => {
    const errs = validateReplicaSet(replicaSet((r) => (r.spec.selector = { matchLabels: {} })));
    expect(kinds(errs)).toEqual([['FieldValueInvalid', 'spec.selector']]);
    expect(errs[0]!.message).toContain('empty selector is invalid for deployment');
  });
});

describe('DaemonSet', () => {
  it('accepts a defaulted daemon set', () => {
    expect(validateDaemonSet(daemonSet())).toEqual([]);
  });
  it.each<[string, (o: any) => void, [string, string][]]>([
    ['surge and unavailable both set', (d) => (d.spec.updateStrategy = { rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } }), [['FieldValueInvalid', 'spec.updateStrategy.rollingUpdate.maxSurge']]],
    ['surge and unavailable both 0', (d) => (d.spec.updateStrategy = { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } }), [['FieldValueRequired', 'spec.updateStrategy.rollingUpdate.maxUnavailable']]],
    ['unknown strategy', (d) => (d.spec.updateStrategy = { type: 'Sometimes' }), [['FieldValueNotSupported', 'spec.updateStrategy']]],
    ['mismatched selector', (d) => (d.spec.selector = { matchLabels: { app: 'x' } }), [['FieldValueInvalid', 'spec.template.metadata.labels']]],
    ['activeDeadlineSeconds', (d) => (d.spec.template.spec.activeDeadlineSeconds = 5), [['FieldValueForbidden', 'spec.template.spec.activeDeadlineSeconds']]],
  ])('%s', (_, before, expected) => {
    expect(kinds(validateDaemonSet(daemonSet(before)))).toEqual(expected);
  });
});

describe('StatefulSet', () => {
  it('accepts a defaulted stateful set with claim templates', () => {
    const sts = statefulSet((s) => {
      s.spec.volumeClaimTemplates = [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }];
      s.spec.template.spec.containers[0].volumeMounts = [{ name: 'data', mountPath: '/data' }];
    });
    expect(validateStatefulSet(sts)).toEqual([]);
  });
  it.each<[string, (o: any) => void, [string, string][]]>([
    ['dotted name', (s) => (s.metadata.name = 'a.b'), [['FieldValueInvalid', 'metadata.name']]],
    ['bad pod management policy', (s) => (s.spec.podManagementPolicy = 'Random'), [['FieldValueInvalid', 'spec.podManagementPolicy']]],
    ['OnDelete with rollingUpdate', (s) => (s.spec.updateStrategy = { type: 'OnDelete', rollingUpdate: { partition: 1 } }), [['FieldValueInvalid', 'spec.updateStrategy.rollingUpdate']]],
    ['negative partition', (s) => (s.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: -1 } }), [['FieldValueInvalid', 'spec.updateStrategy.rollingUpdate.partition']]],
    ['bad retention policy', (s) => (s.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Keep' }), [['FieldValueNotSupported', 'spec.persistentVolumeClaimRetentionPolicy.whenDeleted']]],
    ['missing selector', (s) => delete s.spec.selector, [['FieldValueRequired', 'spec.selector'], ['FieldValueInvalid', 'spec.template.metadata.labels']]],
  ])('%s', (_, before, expected) => {
    expect(kinds(validateStatefulSet(statefulSet(before)))).toEqual(expected);
  });
  it('allows replicas and template updates only', () => {
    const old = statefulSet();
    expect(validateStatefulSet(statefulSet((s) => (s.spec.replicas = 5)), old)).toEqual([]);
    expect(kinds(validateStatefulSet(statefulSet((s) => (s.spec.serviceName = 'other')), old))).toEqual([['FieldValueForbidden', 'spec']]);
  });
});

describe('ControllerRevision', () => {
  const rev = { metadata: { name: 'web-1', namespace: 'd' }, data: { spec: {} }, revision: 1 };
  it('accepts a revision and refuses data changes', () => {
    expect(validateControllerRevision(rev)).toEqual([]);
    expect(kinds(validateControllerRevision({ ...rev, data: undefined }))).toEqual([['FieldValueRequired', 'data']]);
    expect(kinds(validateControllerRevision({ ...rev, data: { spec: { x: 1 } } }, rev))).toEqual([['FieldValueInvalid', 'data']]);
  });
});
