/**
 * The article's manifests (e2e/manifests/*.yaml): after defaulting they validate clean, and the
 * defaults are the ones `kubectl get -o yaml` shows against Kubernetes.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { RESOURCES } from '../registry.js';
import { validateObject } from '../validation/index.js';
import { defaulters } from './index.js';

/** The project's copy of the article's manifests. */
const MANIFESTS = [fileURLToPath(new URL('../../../e2e/manifests/', import.meta.url))].find((dir) => existsSync(dir));

function load(file: string): any[] {
  return parseAllDocuments(readFileSync(`${MANIFESTS}${file}`, 'utf8')).map((d) => d.toJS());
}

function storageOf(obj: any): string {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  const def = RESOURCES.find((r) => r.group === group && r.version === version && r.kind === obj.kind);
  if (!def) throw new Error(`not served: ${obj.apiVersion} ${obj.kind}`);
  return def.storage;
}

function defaulted(obj: any): any {
  defaulters[storageOf(obj)]!(obj);
  return obj;
}

describe('the article manifests', () => {
  it('are present', () => {
    expect(MANIFESTS).toBeDefined();
  });

  const files = MANIFESTS ? readdirSync(MANIFESTS).filter((f) => f.endsWith('.yaml')).sort() : [];
  const docs = files.flatMap((file) => load(file).map((obj, i) => [`${file}#${i} ${obj.kind}`, obj] as const));

  it.each(docs)('%s validates clean after defaulting', (_, obj) => {
    const storage = storageOf(obj);
    expect(validateObject(storage, defaulted(structuredClone(obj)))).toEqual([]);
  });

  it('the Deployment keeps its own strategy and gets upstream defaults', () => {
    const d = defaulted(load('deployment.yaml')[0]);
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 2, maxUnavailable: 0 } });
    expect(d.spec.revisionHistoryLimit).toBe(10);
    expect(d.spec.progressDeadlineSeconds).toBe(600);
    expect(d.spec.template.spec.containers[0]).toMatchObject({
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      resources: { requests: { memory: '8Gi', cpu: '2' }, limits: { memory: '16Gi', cpu: '4' } },
    });
    expect(d.spec.template.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30, schedulerName: 'default-scheduler' });
  });

  it('the Deployment without a strategy gets 25%/25%', () => {
    const manifest = load('deployment.yaml')[0];
    delete manifest.spec.strategy;
    const d = defaulted(manifest);
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    expect(validateObject('apps/deployments', d)).toEqual([]);
  });

  it('the other kinds get their upstream defaults', () => {
    expect(defaulted(load('secret.yaml')[0]).type).toBe('Opaque');
    expect(defaulted(load('namespace.yaml')[0]).metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'ml-production' });
    const [sc, pvc] = load('storage.yaml').map(defaulted);
    expect(sc).toMatchObject({ reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer' });
    expect(pvc.spec.volumeMode).toBe('Filesystem');
    const hpa = defaulted(load('hpa.yaml')[0]);
    expect(hpa.spec.minReplicas).toBe(3);
    expect(hpa.spec.metrics).toHaveLength(1);
    const binding = defaulted(load('rbac.yaml')[1]);
    expect(binding.subjects.map((s: any) => s.apiGroup)).toEqual(['rbac.authorization.k8s.io', 'rbac.authorization.k8s.io']);
  });

  it('a broken Deployment is refused with upstream field paths', () => {
    const d = load('deployment.yaml')[0];
    d.spec.selector.matchLabels.app = 'other';
    d.spec.template.spec.containers[0].resources.requests.cpu = '8';
    const errs = validateObject('apps/deployments', defaulted(d));
    expect(errs.map((e) => [e.type, e.field])).toEqual([
      ['FieldValueInvalid', 'spec.template.metadata.labels'],
      ['FieldValueInvalid', 'spec.template.spec.containers[0].resources.requests'],
    ]);
    expect(errs[1]!.message).toBe('Invalid value: "8": must be less than or equal to cpu limit of 4');
  });
});
