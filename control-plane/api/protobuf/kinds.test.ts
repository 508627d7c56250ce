import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StatusError } from '../status.js';
import { decodeProtobufObject } from './index.js';
import { body, entry, intOrString, len, num, str } from './wire.test-util.js';

/**
 * Bodies kubectl 1.33.1 sent for typed `create` subcommands, byte for byte, with the JSON the same
 * command prints with `--dry-run=client -o json` (what it would have sent as JSON). Recorded
 * against a tug server (testdata/README.md); the `--from=cronjob` ones copy the CronJobs of
 * e2e/testdata/cronjob-every-field.yaml and testdata/cronjob-rare-fields.yaml.
 */
const FIXTURES: { command: string; body: string; json: unknown }[] = JSON.parse(
  readFileSync(new URL('./testdata/kubectl-1.33-create.json', import.meta.url), 'utf8'),
);

/** Go's JSON writes nil pointers and zero times as null where omitempty is missing; decoding leaves them out. */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, withoutNulls(x)]));
  return v;
}

describe('decodeProtobufObject: every kind kubectl create and autoscale send', () => {
  it.each(FIXTURES.map((f) => [f.command, f] as const))('%s decodes to the JSON kubectl would send', (_c, fixture) => {
    expect(decodeProtobufObject(Buffer.from(fixture.body, 'hex'))).toEqual(withoutNulls(fixture.json));
  });

  it('covers the kinds of every create subcommand (and autoscale) that sends protobuf', () => {
    const kinds = new Set(FIXTURES.map((f) => `${(f.json as any).apiVersion}/${(f.json as any).kind}`));
    expect([...kinds].sort()).toEqual([
      'apps/v1/Deployment',
      'autoscaling/v2/HorizontalPodAutoscaler',
      'batch/v1/CronJob',
      'batch/v1/Job',
      'networking.k8s.io/v1/Ingress',
      'policy/v1/PodDisruptionBudget',
      'rbac.authorization.k8s.io/v1/ClusterRole',
      'rbac.authorization.k8s.io/v1/ClusterRoleBinding',
      'rbac.authorization.k8s.io/v1/Role',
      'rbac.authorization.k8s.io/v1/RoleBinding',
      'scheduling.k8s.io/v1/PriorityClass',
      'v1/ResourceQuota',
      'v1/Service',
    ]);
  });

  it('keeps the job template of create job --from=cronjob field for field', () => {
    const fixture = FIXTURES.find((f) => f.command.includes('--from=cronjob/every-field'))!;
    const job = decodeProtobufObject(Buffer.from(fixture.body, 'hex'));
    const pod = job.spec.template.spec;
    expect(job.spec).toMatchObject({ backoffLimitPerIndex: 0, ttlSecondsAfterFinished: 0, completionMode: 'Indexed' });
    expect(pod.tolerations[0]).toEqual({ key: 'dedicated', operator: 'Equal', value: 'batch', effect: 'NoExecute', tolerationSeconds: 0 });
    expect(pod.securityContext).toMatchObject({ runAsUser: 0, runAsNonRoot: false, supplementalGroups: [3000, 0] });
    expect(pod.containers[0].livenessProbe).toMatchObject({ httpGet: { port: 'http', httpHeaders: [{ name: 'X-Probe', value: 'live' }, { name: 'X-Empty', value: '' }] } });
    expect(pod.containers[0].env[2].valueFrom.resourceFieldRef).toEqual({ containerName: 'main', resource: 'limits.cpu', divisor: '1m' });
    expect(pod.volumes.find((v: any) => v.name === 'work')).toEqual({ name: 'work', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } });
  });
});

describe('decodeProtobufObject: fields kubectl create leaves unset', () => {
  it('decodes a deployment strategy, explicit zero replicas and status', () => {
    const spec = [
      ...num(1, 0),
      ...len(4, [...str(1, 'RollingUpdate'), ...len(2, [...intOrString(1, '25%'), ...intOrString(2, 0)])]),
      ...num(5, 0),
      ...num(6, 0),
      ...num(7, 1),
      ...num(9, 600),
    ];
    const status = [...num(1, 3), ...num(2, 2), ...len(6, [...str(1, 'Available'), ...str(2, 'True'), ...len(6, num(1, 1714564800))]), ...num(8, 0)];
    const obj = decodeProtobufObject(body('apps/v1', 'Deployment', [...len(1, str(1, 'web')), ...len(2, spec), ...len(3, status)]));
    expect(obj.spec).toEqual({ replicas: 0, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 0 } }, revisionHistoryLimit: 0, paused: true, progressDeadlineSeconds: 600 });
    expect(obj.status).toEqual({ observedGeneration: 3, replicas: 2, conditions: [{ type: 'Available', status: 'True', lastUpdateTime: '2024-05-01T12:00:00Z' }], collisionCount: 0 });
  });

  it('decodes a service with every spec field', () => {
    const port = [...str(1, 'https'), ...str(2, 'TCP'), ...str(6, 'kubernetes.io/h2c'), ...num(3, 443), ...intOrString(4, 'web'), ...num(5, 30443)];
    const spec = [
      ...len(1, port),
      ...entry(2, 'app', [...Buffer.from('web')]),
      ...str(3, '10.96.0.10'),
      ...str(18, '10.96.0.10'),
      ...str(4, 'LoadBalancer'),
      ...str(5, '192.0.2.1'),
      ...str(7, 'ClientIP'),
      ...str(8, '192.0.2.2'),
      ...str(9, '10.0.0.0/8'),
      ...str(11, 'Local'),
      ...num(12, 32000),
      ...num(13, 1),
      ...len(14, len(1, num(1, 0))),
      ...str(19, 'IPv4'),
      ...str(17, 'SingleStack'),
      ...num(20, 0),
      ...str(21, 'example.com/lb'),
      ...str(22, 'Cluster'),
      ...str(23, 'PreferClose'),
    ];
    const status = [...len(1, len(1, [...str(1, '192.0.2.9'), ...str(3, 'VIP'), ...len(4, [...num(1, 443), ...str(2, 'TCP'), ...str(3, '')])]))];
    const obj = decodeProtobufObject(body('v1', 'Service', [...len(1, str(1, 'web')), ...len(2, spec), ...len(3, status)]));
    expect(obj.spec).toEqual({
      ports: [{ name: 'https', protocol: 'TCP', appProtocol: 'kubernetes.io/h2c', port: 443, targetPort: 'web', nodePort: 30443 }],
      selector: { app: 'web' },
      clusterIP: '10.96.0.10',
      clusterIPs: ['10.96.0.10'],
      type: 'LoadBalancer',
      externalIPs: ['192.0.2.1'],
      sessionAffinity: 'ClientIP',
      loadBalancerIP: '192.0.2.2',
      loadBalancerSourceRanges: ['10.0.0.0/8'],
      externalTrafficPolicy: 'Local',
      healthCheckNodePort: 32000,
      publishNotReadyAddresses: true,
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } },
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      allocateLoadBalancerNodePorts: false,
      loadBalancerClass: 'example.com/lb',
      internalTrafficPolicy: 'Cluster',
      trafficDistribution: 'PreferClose',
    });
    expect(obj.status).toEqual({ loadBalancer: { ingress: [{ ip: '192.0.2.9', ipMode: 'VIP', ports: [{ port: 443, protocol: 'TCP', error: '' }] }] } });
  });

  it('decodes a priority class of value 0, which JSON always carries', () => {
    const obj = decodeProtobufObject(body('scheduling.k8s.io/v1', 'PriorityClass', [...len(1, str(1, 'zero')), ...num(2, 0), ...num(3, 0), ...str(4, '')]));
    expect(obj).toEqual({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'zero' }, value: 0 });
  });

  it('decodes a job selector, manual selection and status', () => {
    const spec = [...len(4, len(2, [...str(1, 'tier'), ...str(2, 'NotIn'), ...str(3, 'web')])), ...num(5, 1)];
    const status = [...num(4, 1), ...num(9, 0), ...str(7, '0-2'), ...len(8, [...str(1, 'uid-1')])];
    const obj = decodeProtobufObject(body('batch/v1', 'Job', [...len(1, str(1, 'j')), ...len(2, spec), ...len(3, status)]));
    expect(obj.spec).toEqual({ selector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] }, manualSelector: true });
    expect(obj.status).toEqual({ active: 1, ready: 0, completedIndexes: '0-2', uncountedTerminatedPods: { succeeded: ['uid-1'] } });
  });

  it('decodes ephemeral containers, inlining the common container fields', () => {
    const ephemeral = [...len(1, [...str(1, 'debug'), ...str(2, 'busybox'), ...num(16, 1)]), ...str(2, 'main')];
    const template = len(2, [...len(34, ephemeral)]);
    const obj = decodeProtobufObject(body('batch/v1', 'Job', [...len(1, str(1, 'j')), ...len(2, len(6, template))]));
    expect(obj.spec.template.spec.ephemeralContainers).toEqual([{ name: 'debug', image: 'busybox', stdin: true, targetContainerName: 'main' }]);
  });
});

describe('decodeProtobufObject: damaged real bodies', () => {
  it('answers every truncation with a StatusError or a decoded object', () => {
    for (const { body: hex } of FIXTURES.filter((f) => f.command.includes('--from=cronjob'))) {
      const full = Buffer.from(hex, 'hex');
      for (let n = 0; n < full.length; n++) {
        try {
          decodeProtobufObject(full.subarray(0, n));
        } catch (e) {
          expect(e, `prefix of ${n} bytes`).toBeInstanceOf(StatusError);
        }
      }
    }
  });

  it('never throws anything but a StatusError for mutated bodies', () => {
    const mutated = fc
      .tuple(fc.constantFrom(...FIXTURES.map((f) => f.body)), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }))
      .map(([hex, edits]) => {
        const buf = Buffer.from(hex, 'hex');
        for (const [at, value] of edits) buf[4 + (at % (buf.length - 4))] = value;
        return buf;
      });
    fc.assert(
      fc.property(mutated, (data) => {
        try {
          decodeProtobufObject(data);
        } catch (e) {
          if (!(e instanceof StatusError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
