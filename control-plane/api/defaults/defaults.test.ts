import { describe, expect, it } from 'vitest';
import { defaulters } from './index.js';
import { defaultPullPolicy } from './pod.js';

/** Defaults `obj` as the kind at `storage` and returns it. */
function defaulted(storage: string, obj: any): any {
  defaulters[storage]!(obj);
  return obj;
}

describe('pull policy from the image', () => {
  it.each<[string, string]>([
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.27', 'IfNotPresent'],
    ['myregistry/model-server:v2.1.0', 'IfNotPresent'],
    ['localhost:5000/app', 'Always'],
    ['localhost:5000/app:1', 'IfNotPresent'],
    ['nginx@sha256:0123456789abcdef', 'IfNotPresent'],
    ['nginx:latest@sha256:0123456789abcdef', 'Always'],
  ])('%s → %s', (image, policy) => {
    expect(defaultPullPolicy(image)).toBe(policy);
  });
});

describe('Pod defaults', () => {
  const pod = () =>
    defaulted('core/pods', {
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'nginx',
            ports: [{ containerPort: 80 }],
            env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
            resources: { limits: { cpu: '0.5', memory: '1024Mi' } },
            livenessProbe: { httpGet: { port: 80 } },
            readinessProbe: { grpc: { port: 9000 }, periodSeconds: 5 },
          },
        ],
        volumes: [{ name: 'cfg', configMap: { name: 'cfg' } }, { name: 'sec', secret: { secretName: 's' } }, { name: 'scratch' }],
      },
    });

  it('fills the pod spec as upstream', () => {
    const spec = pod().spec;
    expect(spec).toMatchObject({
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      securityContext: {},
      enableServiceLinks: true,
      priority: 0,
      preemptionPolicy: 'PreemptLowerPriority',
    });
    expect(spec.volumes).toEqual([
      { name: 'cfg', configMap: { name: 'cfg', defaultMode: 420 } },
      { name: 'sec', secret: { secretName: 's', defaultMode: 420 } },
      { name: 'scratch', emptyDir: {} },
    ]);
  });

  it('fills containers, probes and requests from limits', () => {
    const c = pod().spec.containers[0];
    expect(c).toMatchObject({
      imagePullPolicy: 'Always',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      ports: [{ containerPort: 80, protocol: 'TCP' }],
      env: [{ name: 'NODE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } }],
      resources: { limits: { cpu: '500m', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } },
    });
    expect(c.livenessProbe).toEqual({ httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    expect(c.readinessProbe).toEqual({ grpc: { port: 9000, service: '' }, timeoutSeconds: 1, periodSeconds: 5, successThreshold: 1, failureThreshold: 3 });
  });

  it('gives every container an empty resources object', () => {
    const p = defaulted('core/pods', { metadata: { name: 'p', namespace: 'd' }, spec: { containers: [{ name: 'a', image: 'x:1' }] } });
    expect(p.spec.containers[0].resources).toEqual({});
  });

  it('leaves priority to the class when one is named', () => {
    const p = defaulted('core/pods', { metadata: { name: 'p', namespace: 'd' }, spec: { priorityClassName: 'high', containers: [{ name: 'a', image: 'x:1' }] } });
    expect(p.spec.priority).toBeUndefined();
  });

  it('copies container ports to host ports under host networking', () => {
    const p = defaulted('core/pods', { metadata: { name: 'p', namespace: 'd' }, spec: { hostNetwork: true, containers: [{ name: 'a', image: 'x:1', ports: [{ containerPort: 53 }] }] } });
    expect(p.spec.containers[0].ports[0].hostPort).toBe(53);
  });

  it('does not add the not-ready/unreachable tolerations (admission does)', () => {
    expect(pod().spec.tolerations).toBeUndefined();
  });
});

describe('workload defaults', () => {
  const template = () => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27', resources: { limits: { cpu: '1' } } }] } });

  it('Deployment', () => {
    const d = defaulted('apps/deployments', { metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template: template() } });
    expect(d.spec).toMatchObject({
      replicas: 1,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    });
    expect(d.spec.template.spec).toMatchObject({ restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', securityContext: {} });
    // Requests are not copied from limits in templates, and pod-only fields stay unset.
    expect(d.spec.template.spec.containers[0].resources).toEqual({ limits: { cpu: '1' } });
    expect(d.spec.template.spec.enableServiceLinks).toBeUndefined();
  });

  it('Deployment with Recreate gets no rollingUpdate', () => {
    const d = defaulted('apps/deployments', { spec: { strategy: { type: 'Recreate' }, template: template() } });
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
  });

  it('ReplicaSet', () => {
    expect(defaulted('apps/replicasets', { spec: { template: template() } }).spec.replicas).toBe(1);
  });

  it('StatefulSet', () => {
    const s = defaulted('apps/statefulsets', {
      spec: { template: template(), volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] },
    });
    expect(s.spec).toMatchObject({
      replicas: 1,
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: 10,
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    });
    expect(s.spec.volumeClaimTemplates[0]).toMatchObject({ spec: { volumeMode: 'Filesystem' }, status: { phase: 'Pending' } });
  });

  it('DaemonSet', () => {
    const d = defaulted('apps/daemonsets', { spec: { template: template() } });
    expect(d.spec).toMatchObject({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, revisionHistoryLimit: 10 });
  });

  it('Job', () => {
    const j = defaulted('batch/jobs', { metadata: { name: 'pi' }, spec: { template: { metadata: { labels: { job: 'pi' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } } } });
    expect(j.spec).toMatchObject({ completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, podReplacementPolicy: 'TerminatingOrFailed' });
    expect(j.metadata.labels).toEqual({ job: 'pi' });
    expect(j.spec.template.spec.containers[0].imagePullPolicy).toBe('Always');
  });

  it('Job with only parallelism keeps completions unset', () => {
    expect(defaulted('batch/jobs', { spec: { parallelism: 3, template: template() } }).spec.completions).toBeUndefined();
  });

  it('CronJob', () => {
    const c = defaulted('batch/cronjobs', { spec: { schedule: '@hourly', jobTemplate: { spec: { template: template() } } } });
    expect(c.spec).toMatchObject({ concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    expect(c.spec.jobTemplate.spec.template.spec.restartPolicy).toBe('Always');
    expect(c.spec.jobTemplate.spec.backoffLimit).toBeUndefined();
  });
});

describe('Service defaults', () => {
  it('ClusterIP', () => {
    const s = defaulted('core/services', { spec: { selector: { app: 'web' }, ports: [{ port: 80 }, { name: 'x', port: 81, targetPort: 'http' }] } });
    expect(s.spec).toEqual({
      selector: { app: 'web' },
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }, { name: 'x', port: 81, targetPort: 'http', protocol: 'TCP' }],
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv4'],
    });
    expect(s.status).toEqual({ loadBalancer: {} });
  });
  it('NodePort and LoadBalancer', () => {
    expect(defaulted('core/services', { spec: { type: 'NodePort', ports: [{ port: 80 }] } }).spec).toMatchObject({ externalTrafficPolicy: 'Cluster', internalTrafficPolicy: 'Cluster' });
    expect(defaulted('core/services', { spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } }).spec).toMatchObject({ externalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: true });
  });
  it('ExternalName gets no IP families or traffic policies', () => {
    const s = defaulted('core/services', { spec: { type: 'ExternalName', externalName: 'db.example.com' } });
    expect(s.spec).toEqual({ type: 'ExternalName', externalName: 'db.example.com', sessionAffinity: 'None' });
  });
  it('ClientIP affinity gets the default timeout; clusterIPs follow clusterIP', () => {
    const s = defaulted('core/services', { spec: { sessionAffinity: 'ClientIP', clusterIP: '10.96.0.10', ports: [{ port: 80 }] } });
    expect(s.spec.sessionAffinityConfig).toEqual({ clientIP: { timeoutSeconds: 10800 } });
    expect(s.spec.clusterIPs).toEqual(['10.96.0.10']);
  });
});

describe('other defaults', () => {
  it('Secret: Opaque, stringData merged into data', () => {
    const s = defaulted('core/secrets', { data: { a: 'eA==' }, stringData: { b: 'hello', a: 'y' } });
    expect(s).toEqual({ type: 'Opaque', data: { a: 'eQ==', b: 'aGVsbG8=' } });
  });
  it('PersistentVolumeClaim, PersistentVolume, StorageClass', () => {
    expect(defaulted('core/persistentvolumeclaims', { spec: { resources: { requests: { storage: '1024Mi' } } } })).toEqual({
      spec: { resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' },
      status: { phase: 'Pending' },
    });
    expect(defaulted('core/persistentvolumes', { spec: { capacity: { storage: '5Gi' } } }).spec).toMatchObject({ persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem' });
    expect(defaulted('storage.k8s.io/storageclasses', { provisioner: 'x.io/y' })).toMatchObject({ reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' });
  });
  it('HorizontalPodAutoscaler: minReplicas, CPU metric, behavior', () => {
    const h = defaulted('autoscaling/horizontalpodautoscalers', { spec: { maxReplicas: 5, behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } } });
    expect(h.spec.minReplicas).toBe(1);
    expect(h.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    expect(h.spec.behavior).toEqual({
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
      scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
    });
    expect(defaulted('autoscaling/horizontalpodautoscalers', { spec: { maxReplicas: 5 } }).spec.behavior).toBeUndefined();
  });
  it('Namespace label; no phase', () => {
    expect(defaulted('core/namespaces', { metadata: { name: 'ml' } })).toEqual({ metadata: { name: 'ml', labels: { 'kubernetes.io/metadata.name': 'ml' } } });
  });
  it('Node allocatable from capacity', () => {
    expect(defaulted('core/nodes', { status: { capacity: { cpu: '2', memory: '8Gi' } } }).status.allocatable).toEqual({ cpu: '2', memory: '8Gi' });
  });
  it('RBAC binding groups', () => {
    const b = defaulted('rbac.authorization.k8s.io/rolebindings', { roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'u' }, { kind: 'ServiceAccount', name: 's' }] });
    expect(b.roleRef.apiGroup).toBe('rbac.authorization.k8s.io');
    expect(b.subjects.map((s: any) => s.apiGroup)).toEqual(['rbac.authorization.k8s.io', '']);
  });
  it('NetworkPolicy policy types', () => {
    expect(defaulted('networking.k8s.io/networkpolicies', { spec: { podSelector: {} } }).spec.policyTypes).toEqual(['Ingress']);
    const np = defaulted('networking.k8s.io/networkpolicies', { spec: { egress: [{ ports: [{ port: 53 }] }] } });
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.egress[0].ports[0].protocol).toBe('TCP');
  });
  it('PriorityClass, EndpointSlice, Endpoints, LimitRange', () => {
    expect(defaulted('scheduling.k8s.io/priorityclasses', { value: 1 }).preemptionPolicy).toBe('PreemptLowerPriority');
    expect(defaulted('discovery.k8s.io/endpointslices', { ports: [{ port: 80 }] }).ports).toEqual([{ port: 80, name: '', protocol: 'TCP' }]);
    expect(defaulted('core/endpoints', { subsets: [{ ports: [{ port: 80 }] }] }).subsets[0].ports[0].protocol).toBe('TCP');
    const lr = defaulted('core/limitranges', { spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' } }] } });
    expect(lr.spec.limits[0]).toMatchObject({ default: { cpu: '2' }, defaultRequest: { cpu: '2', memory: '64Mi' } });
  });
  it('Ingress gets no pathType', () => {
    const i = defaulted('networking.k8s.io/ingresses', { spec: { rules: [{ http: { paths: [{ path: '/' }] } }] } });
    expect(i.spec.rules[0].http.paths[0].pathType).toBeUndefined();
  });
});

describe('idempotence', () => {
  it.each(Object.keys(defaulters))('%s', (storage) => {
    const sample = {
      metadata: { name: 'x', namespace: 'd' },
      spec: { containers: [{ name: 'a', image: 'x' }], template: { spec: { containers: [{ name: 'a', image: 'x' }] } }, ports: [{ port: 1 }] },
    };
    const once = defaulted(storage, structuredClone(sample));
    const twice = defaulted(storage, structuredClone(once));
    expect(twice).toEqual(once);
  });
});
