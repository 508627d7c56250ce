/**
 * apps/v1 defaults as upstream's SetDefaults_Deployment / ReplicaSet / StatefulSet / DaemonSet set
 * them, with PodSpec defaults inside each template and claim defaults in StatefulSet
 * volumeClaimTemplates.
 */
import { child, eachObject, existing, isObject, setDefault } from './fields.js';
import { defaultPodTemplate } from './pod.js';
import { defaultPersistentVolumeClaim } from './storage.js';

/** The spec of a workload object, created when missing; undefined when it is not an object. */
function specOf(obj: any): Record<string, any> | undefined {
  return isObject(obj) ? child(obj, 'spec') : undefined;
}

export function defaultDeployment(obj: any): void {
  const spec = specOf(obj);
  if (!spec) return;
  setDefault(spec, 'replicas', 1);
  const strategy = child(spec, 'strategy');
  if (strategy) {
    setDefault(strategy, 'type', 'RollingUpdate');
    if (strategy.type === 'RollingUpdate') {
      const ru = child(strategy, 'rollingUpdate');
      if (ru) {
        setDefault(ru, 'maxUnavailable', '25%');
        setDefault(ru, 'maxSurge', '25%');
      }
    }
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  defaultPodTemplate(spec.template);
}

export function defaultReplicaSet(obj: any): void {
  const spec = specOf(obj);
  if (!spec) return;
  setDefault(spec, 'replicas', 1);
  defaultPodTemplate(spec.template);
}

export function defaultStatefulSet(obj: any): void {
  const spec = specOf(obj);
  if (!spec) return;
  setDefault(spec, 'podManagementPolicy', 'OrderedReady');
  const strategy = child(spec, 'updateStrategy');
  if (strategy) {
    if (!strategy.type) {
      strategy.type = 'RollingUpdate';
      setDefault(strategy, 'rollingUpdate', {});
    }
    const ru = existing(strategy, 'rollingUpdate');
    if (strategy.type === 'RollingUpdate' && ru) setDefault(ru, 'partition', 0);
  }
  const retention = child(spec, 'persistentVolumeClaimRetentionPolicy');
  if (retention) {
    setDefault(retention, 'whenDeleted', 'Retain');
    setDefault(retention, 'whenScaled', 'Retain');
  }
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplate(spec.template);
  eachObject(spec, 'volumeClaimTemplates', defaultPersistentVolumeClaim);
}

export function defaultDaemonSet(obj: any): void {
  const spec = specOf(obj);
  if (!spec) return;
  const strategy = child(spec, 'updateStrategy');
  if (strategy) {
    setDefault(strategy, 'type', 'RollingUpdate');
    if (strategy.type === 'RollingUpdate') {
      const ru = child(strategy, 'rollingUpdate');
      if (ru) {
        setDefault(ru, 'maxUnavailable', 1);
        setDefault(ru, 'maxSurge', 0);
      }
    }
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplate(spec.template);
}
