import { describe, expect, it } from 'vitest';
import { defaultPod } from '../defaults/pod.js';
import { validatePod } from './pod.js';

/** A defaulted pod; `before` edits the manifest, `after` edits the defaulted object. */
function pod(before?: (p: any) => void, after?: (p: any) => void): any {
  const p: any = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: {
      containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ name: 'http', containerPort: 80 }] }],
      volumes: [{ name: 'data', emptyDir: {} }],
    },
  };
  before?.(p);
  defaultPod(p);
  after?.(p);
  return p;
}

const c0 = (p: any) => p.spec.containers[0];
const kinds = (errs: { type: string; field: string }[]) => errs.map((e) => [e.type, e.field]);

describe('validatePod on create', () => {
  it('accepts a defaulted pod', () => {
    expect(validatePod(pod())).toEqual([]);
  });

  it('accepts a full-featured pod', () => {
    const p = pod((p) => {
      Object.assign(c0(p), {
        env: [
          { name: 'A', value: '1' },
          { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'K', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } },
          { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
        ],
        envFrom: [{ configMapRef: { name: 'cfg' } }, { prefix: 'S_', secretRef: { name: 'sec' } }],
        volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'cfg', mountPath: '/etc/cfg', subPath: 'a' }],
        resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi', 'nvidia.com/gpu': 1 } },
        livenessProbe: { httpGet: { port: 'http' }, initialDelaySeconds: 3 },
        readinessProbe: { tcpSocket: { port: 80 } },
        startupProbe: { exec: { command: ['true'] }, failureThreshold: 30 },
        lifecycle: { preStop: { sleep: { seconds: 5 } } },
      });
      p.spec.initContainers = [{ name: 'init', image: 'busybox' }, { name: 'sidecar', image: 'envoy:1', restartPolicy: 'Always', readinessProbe: { grpc: { port: 9901 } } }];
      p.spec.volumes.push({ name: 'cfg', configMap: { name: 'cfg', items: [{ key: 'a', path: 'a.conf' }] } }, { name: 'claim', persistentVolumeClaim: { claimName: 'c' } });
      p.spec.nodeSelector = { 'kubernetes.io/os': 'linux' };
      p.spec.tolerations = [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }, { operator: 'Exists' }];
      p.spec.affinity = {
        nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } },
        podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' } }] },
      };
    });
    expect(validatePod(p)).toEqual([]);
  });

  it.each<[string, (p: any) => void, ((p: any) => void) | undefined, [string, string][]]>([
    ['no containers', (p) => (p.spec.containers = []), undefined, [['FieldValueRequired', 'spec.containers']]],
    ['container without name', (p) => delete c0(p).name, undefined, [['FieldValueRequired', 'spec.containers[0].name']]],
    ['upper-case container name', (p) => (c0(p).name = 'App'), undefined, [['FieldValueInvalid', 'spec.containers[0].name']]],
    ['container without image', (p) => delete c0(p).image, undefined, [['FieldValueRequired', 'spec.containers[0].image']]],
    ['image with trailing space', (p) => (c0(p).image = 'nginx '), undefined, [['FieldValueInvalid', 'spec.containers[0].image']]],
    ['duplicate container names', (p) => p.spec.containers.push({ name: 'app', image: 'x:1' }), undefined, [['FieldValueDuplicate', 'spec.containers[1].name']]],
    ['init container named like a container', (p) => (p.spec.initContainers = [{ name: 'app', image: 'x:1' }]), undefined, [['FieldValueDuplicate', 'spec.initContainers[0].name']]],
    ['port 0', (p) => (c0(p).ports = [{ containerPort: 0 }]), undefined, [['FieldValueRequired', 'spec.containers[0].ports[0].containerPort']]],
    ['port 70000', (p) => (c0(p).ports = [{ containerPort: 70000 }]), undefined, [['FieldValueInvalid', 'spec.containers[0].ports[0].containerPort']]],
    ['bad protocol', (p) => (c0(p).ports[0].protocol = 'ICMP'), undefined, [['FieldValueNotSupported', 'spec.containers[0].ports[0].protocol']]],
    ['port name too long', (p) => (c0(p).ports[0].name = 'a-very-long-port-name'), undefined, [['FieldValueInvalid', 'spec.containers[0].ports[0].name']]],
    ['duplicate port names', (p) => c0(p).ports.push({ name: 'http', containerPort: 81 }), undefined, [['FieldValueDuplicate', 'spec.containers[0].ports[1].name']]],
    ['conflicting host ports', (p) => (c0(p).ports = [{ containerPort: 80, hostPort: 8080 }, { containerPort: 81, hostPort: 8080 }]), undefined, [['FieldValueDuplicate', 'spec.containers[0].ports[1].hostPort']]],
    ['env without name', (p) => (c0(p).env = [{ value: 'x' }]), undefined, [['FieldValueRequired', 'spec.containers[0].env[0].name']]],
    ['env name with =', (p) => (c0(p).env = [{ name: 'A=B' }]), undefined, [['FieldValueInvalid', 'spec.containers[0].env[0].name']]],
    ['valueFrom with no source', (p) => (c0(p).env = [{ name: 'A', valueFrom: {} }]), undefined, [['FieldValueInvalid', 'spec.containers[0].env[0].valueFrom']]],
    ['valueFrom with two sources', (p) => (c0(p).env = [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' }, secretKeyRef: { name: 's', key: 'k' } } }]), undefined, [['FieldValueInvalid', 'spec.containers[0].env[0].valueFrom']]],
    ['valueFrom and value', (p) => (c0(p).env = [{ name: 'A', value: 'v', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }]), undefined, [['FieldValueInvalid', 'spec.containers[0].env[0].valueFrom']]],
    ['unsupported fieldRef', (p) => (c0(p).env = [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'spec.restartPolicy' } } }]), undefined, [['FieldValueNotSupported', 'spec.containers[0].env[0].valueFrom.fieldRef.fieldPath']]],
    ['secretKeyRef without key', (p) => (c0(p).env = [{ name: 'A', valueFrom: { secretKeyRef: { name: 's' } } }]), undefined, [['FieldValueRequired', 'spec.containers[0].env[0].valueFrom.secretKeyRef.key']]],
    ['envFrom without source', (p) => (c0(p).envFrom = [{ prefix: 'X_' }]), undefined, [['FieldValueInvalid', 'spec.containers[0].envFrom']]],
    // Pods copy limits into unset requests, so a bad limit is reported twice, as upstream does.
    ['invalid cpu quantity', (p) => (c0(p).resources = { limits: { cpu: 'lots' } }), undefined, [['FieldValueInvalid', 'spec.containers[0].resources.limits[cpu]'], ['FieldValueInvalid', 'spec.containers[0].resources.requests[cpu]']]],
    ['request above limit', (p) => (c0(p).resources = { requests: { cpu: '2' }, limits: { cpu: '1' } }), undefined, [['FieldValueInvalid', 'spec.containers[0].resources.requests']]],
    ['negative memory', (p) => (c0(p).resources = { requests: { memory: '-1' } }), undefined, [['FieldValueInvalid', 'spec.containers[0].resources.requests[memory]']]],
    ['unknown resource', (p) => (c0(p).resources = { requests: { disk: '1' } }), undefined, [['FieldValueInvalid', 'spec.containers[0].resources.requests[disk]'], ['FieldValueInvalid', 'spec.containers[0].resources.requests[disk]']]],
    ['gpu request below limit', (p) => (c0(p).resources = { requests: { 'nvidia.com/gpu': 1 }, limits: { 'nvidia.com/gpu': 2 } }), undefined, [['FieldValueInvalid', 'spec.containers[0].resources.requests']]],
    ['fractional gpu', (p) => (c0(p).resources = { limits: { 'nvidia.com/gpu': '0.5' } }), undefined, [['FieldValueInvalid', 'spec.containers[0].resources.limits[nvidia.com/gpu]'], ['FieldValueInvalid', 'spec.containers[0].resources.requests[nvidia.com/gpu]']]],
    ['mount of a missing volume', (p) => (c0(p).volumeMounts = [{ name: 'nope', mountPath: '/x' }]), undefined, [['FieldValueNotFound', 'spec.containers[0].volumeMounts[0].name']]],
    ['mount without path', (p) => (c0(p).volumeMounts = [{ name: 'data' }]), undefined, [['FieldValueRequired', 'spec.containers[0].volumeMounts[0].mountPath']]],
    ['same mount path twice', (p) => (c0(p).volumeMounts = [{ name: 'data', mountPath: '/x' }, { name: 'data', mountPath: '/x' }]), undefined, [['FieldValueInvalid', 'spec.containers[0].volumeMounts[1].mountPath']]],
    ['subPath escaping', (p) => (c0(p).volumeMounts = [{ name: 'data', mountPath: '/x', subPath: '../etc' }]), undefined, [['FieldValueInvalid', 'spec.containers[0].volumeMounts.subPath']]],
    ['duplicate volume names', (p) => p.spec.volumes.push({ name: 'data', emptyDir: {} }), undefined, [['FieldValueDuplicate', 'spec.volumes[1].name']]],
    ['volume with two sources', (p) => (p.spec.volumes[0].hostPath = { path: '/tmp' }), undefined, [['FieldValueForbidden', 'spec.volumes[0].hostPath']]],
    ['volume without a name', (p) => delete p.spec.volumes[0].name, undefined, [['FieldValueRequired', 'spec.volumes[0].name']]],
    ['secret volume without secretName', (p) => (p.spec.volumes = [{ name: 's', secret: {} }]), undefined, [['FieldValueRequired', 'spec.volumes[0].secret.secretName']]],
    ['configMap defaultMode out of range', (p) => (p.spec.volumes = [{ name: 'c', configMap: { name: 'c', defaultMode: 1000 } }]), undefined, [['FieldValueInvalid', 'spec.volumes[0].configMap.defaultMode']]],
    ['hostPath without path', (p) => (p.spec.volumes = [{ name: 'h', hostPath: {} }]), undefined, [['FieldValueRequired', 'spec.volumes[0].hostPath.path']]],
    ['volume without a source', (p) => (p.spec.volumes = [{ name: 'x' }]), (p) => delete p.spec.volumes[0].emptyDir, [['FieldValueRequired', 'spec.volumes[0]']]],
    ['probe with two handlers', (p) => (c0(p).livenessProbe = { exec: { command: ['x'] }, tcpSocket: { port: 80 } }), undefined, [['FieldValueForbidden', 'spec.containers[0].livenessProbe.tcpSocket']]],
    ['probe without handler', (p) => (c0(p).readinessProbe = { periodSeconds: 5 }), undefined, [['FieldValueRequired', 'spec.containers[0].readinessProbe']]],
    ['negative probe period', (p) => (c0(p).readinessProbe = { exec: { command: ['x'] }, periodSeconds: -1 }), undefined, [['FieldValueInvalid', 'spec.containers[0].readinessProbe.periodSeconds']]],
    ['liveness successThreshold 2', (p) => (c0(p).livenessProbe = { exec: { command: ['x'] }, successThreshold: 2 }), undefined, [['FieldValueInvalid', 'spec.containers[0].livenessProbe.successThreshold']]],
    ['exec probe without command', (p) => (c0(p).livenessProbe = { exec: {} }), undefined, [['FieldValueRequired', 'spec.containers[0].livenessProbe.exec.command']]],
    ['http probe on a bad port name', (p) => (c0(p).livenessProbe = { httpGet: { port: 'HTTP' } }), undefined, [['FieldValueInvalid', 'spec.containers[0].livenessProbe.httpGet.port']]],
    ['probe on an init container', (p) => (p.spec.initContainers = [{ name: 'i', image: 'x:1', livenessProbe: { exec: { command: ['x'] } } }]), undefined, [['FieldValueForbidden', 'spec.initContainers[0].livenessProbe']]],
    ['restartPolicy on a container', (p) => (c0(p).restartPolicy = 'Always'), undefined, [['FieldValueForbidden', 'spec.containers[0].restartPolicy']]],
    ['bad pull policy', (p) => (c0(p).imagePullPolicy = 'Sometimes'), undefined, [['FieldValueNotSupported', 'spec.containers[0].imagePullPolicy']]],
    ['bad restart policy', (p) => (p.spec.restartPolicy = 'Sometimes'), undefined, [['FieldValueNotSupported', 'spec.restartPolicy']]],
    ['bad dns policy', (p) => (p.spec.dnsPolicy = 'Cluster'), undefined, [['FieldValueNotSupported', 'spec.dnsPolicy']]],
    ['dnsPolicy None without config', (p) => (p.spec.dnsPolicy = 'None'), undefined, [['FieldValueRequired', 'spec.dnsConfig']]],
    ['negative grace period', (p) => (p.spec.terminationGracePeriodSeconds = -5), undefined, [['FieldValueInvalid', 'spec.terminationGracePeriodSeconds']]],
    ['missing grace period', () => {}, (p) => delete p.spec.terminationGracePeriodSeconds, [['FieldValueRequired', 'spec.terminationGracePeriodSeconds']]],
    ['bad node selector', (p) => (p.spec.nodeSelector = { zone: 'a b' }), undefined, [['FieldValueInvalid', 'spec.nodeSelector']]],
    ['toleration with bad operator', (p) => (p.spec.tolerations = [{ key: 'k', operator: 'Near' }]), undefined, [['FieldValueNotSupported', 'spec.tolerations[0].operator']]],
    ['toleration with bad effect', (p) => (p.spec.tolerations = [{ key: 'k', operator: 'Exists', effect: 'Never' }]), undefined, [['FieldValueNotSupported', 'spec.tolerations[0].effect']]],
    ['empty key without Exists', (p) => (p.spec.tolerations = [{ operator: 'Equal', value: 'x' }]), undefined, [['FieldValueInvalid', 'spec.tolerations[0].operator']]],
    ['tolerationSeconds without NoExecute', (p) => (p.spec.tolerations = [{ key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 }]), undefined, [['FieldValueInvalid', 'spec.tolerations[0].effect']]],
    ['node affinity without terms', (p) => (p.spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } }), undefined, [['FieldValueRequired', 'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms']]],
    ['pod affinity without topology key', (p) => (p.spec.affinity = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: {} }] } }), undefined, [['FieldValueRequired', 'spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey'], ['FieldValueInvalid', 'spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey']]],
    ['preferred weight 0', (p) => (p.spec.affinity = { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, preference: {} }] } }), undefined, [['FieldValueInvalid', 'spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight']]],
    ['ephemeral containers on create', (p) => (p.spec.ephemeralContainers = [{ name: 'dbg', image: 'busybox' }]), undefined, [['FieldValueForbidden', 'spec.ephemeralContainers']]],
    ['bad hostname', (p) => (p.spec.hostname = 'Web_1'), undefined, [['FieldValueInvalid', 'spec.hostname']]],
    ['activeDeadlineSeconds 0', (p) => (p.spec.activeDeadlineSeconds = 0), undefined, [['FieldValueInvalid', 'spec.activeDeadlineSeconds']]],
    ['hostNetwork with a different hostPort', (p) => {
      p.spec.hostNetwork = true;
      c0(p).ports = [{ containerPort: 80, hostPort: 8080 }];
    }, undefined, [['FieldValueInvalid', 'spec.containers[0].ports[0].hostPort']]],
  ])('%s', (_, before, after, expected) => {
    expect(kinds(validatePod(pod(before, after)))).toEqual(expected);
  });

  it('prints upstream messages', () => {
    const [bad] = validatePod(pod((p) => (p.spec.restartPolicy = 'Sometimes')));
    expect(bad!.message).toBe('Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"');
    const [dup] = validatePod(pod((p) => p.spec.containers.push({ name: 'app', image: 'x:1' })));
    expect(dup!.message).toBe('Duplicate value: "app"');
    const [limit] = validatePod(pod((p) => (c0(p).resources = { requests: { cpu: '2' }, limits: { cpu: '1' } })));
    expect(limit!.message).toBe('Invalid value: "2": must be less than or equal to cpu limit of 1');
    const [quantity] = validatePod(pod((p) => (c0(p).resources = { limits: { cpu: 'lots' } })));
    expect(quantity!.message).toBe("Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
    const [port] = validatePod(pod((p) => (c0(p).ports = [{ containerPort: 70000 }])));
    expect(port!.message).toBe('Invalid value: 70000: must be between 1 and 65535, inclusive');
  });
});

describe('validatePod on update', () => {
  it('allows changing an image and adding a toleration', () => {
    const old = pod();
    const next = pod((p) => {
      c0(p).image = 'nginx:1.28';
      p.spec.tolerations = [{ key: 'k', operator: 'Exists' }];
    });
    expect(validatePod(next, old)).toEqual([]);
  });

  it('refuses other spec changes with upstream text', () => {
    const errs = validatePod(pod((p) => (c0(p).ports[0].containerPort = 8080)), pod());
    expect(kinds(errs)).toEqual([['FieldValueForbidden', 'spec']]);
    expect(errs[0]!.message).toMatch(/^Forbidden: pod updates may not change fields other than `spec.containers\[\*\]\.image`,/);
    expect(errs[0]!.message).toContain('spec.containers[0].ports[0].containerPort');
  });

  it('refuses adding a container', () => {
    expect(kinds(validatePod(pod((p) => p.spec.containers.push({ name: 'b', image: 'x:1' })), pod()))).toEqual([['FieldValueForbidden', 'spec.containers']]);
  });

  it('refuses raising activeDeadlineSeconds and removing tolerations', () => {
    const old = pod((p) => {
      p.spec.activeDeadlineSeconds = 10;
      p.spec.tolerations = [{ key: 'k', operator: 'Exists' }];
    });
    expect(kinds(validatePod(pod((p) => (p.spec.activeDeadlineSeconds = 20)), old))).toEqual([['FieldValueInvalid', 'spec.activeDeadlineSeconds']]);
    const lowered = pod((p) => (p.spec.activeDeadlineSeconds = 5));
    expect(kinds(validatePod(lowered, old))).toEqual([['FieldValueForbidden', 'spec.tolerations']]);
  });

  it('refuses renaming', () => {
    expect(kinds(validatePod(pod((p) => (p.metadata.name = 'other')), pod()))).toEqual([['FieldValueInvalid', 'metadata.name']]);
  });
});
