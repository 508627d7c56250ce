import { describe, expect, it } from 'vitest';
import { defaultEndpointSlice, defaultEndpoints } from '../defaults/endpoints.js';
import { defaultLimitRange } from '../defaults/quota.js';
import { defaultNetworkPolicy } from '../defaults/networking.js';
import { validateSelfSubjectAccessReview } from './authorization.js';
import { validateNamespace, validateNode } from './cluster.js';
import { validatePodDisruptionBudget } from './disruption.js';
import { validateEndpointSlice, validateEndpoints } from './endpoints.js';
import { validateEvent } from './events.js';
import { validateLease } from './lease.js';
import { validateIngress, validateIngressClass, validateNetworkPolicy } from './networking.js';
import { validateLimitRange, validateResourceQuota } from './quota.js';
import { validatePriorityClass } from './scheduling.js';

type Case = [string, any, [string, string][]];
const kinds = (errs: { type: string; field: string }[]) => errs.map((e) => [e.type, e.field]);
const ns = { name: 'x', namespace: 'default' };

function run(validate: (o: any, old?: any) => any[], cases: Case[], prepare: (o: any) => any = (o) => o): void {
  it.each(cases)('%s', (_, obj, expected) => {
    expect(kinds(validate(prepare(structuredClone(obj))))).toEqual(expected);
  });
}

describe('Namespace', () => {
  run(validateNamespace, [
    ['valid', { metadata: { name: 'ml-production' } }, []],
    ['dotted name', { metadata: { name: 'ml.production' } }, [['FieldValueInvalid', 'metadata.name']]],
    ['unqualified finalizer', { metadata: { name: 'a' }, spec: { finalizers: ['mine'] } }, [['FieldValueInvalid', 'spec.finalizers']]],
    ['with a namespace', { metadata: { name: 'a', namespace: 'b' } }, [['FieldValueForbidden', 'metadata.namespace']]],
  ]);
});

describe('Node', () => {
  run(validateNode, [
    ['valid', { metadata: { name: 'node-1.local' }, spec: { podCIDRs: ['10.244.1.0/24'], taints: [{ key: 'gpu', effect: 'NoSchedule' }] }, status: { capacity: { cpu: '2', memory: '8Gi', pods: '110' } } }, []],
    ['taint without effect', { metadata: { name: 'n' }, spec: { taints: [{ key: 'gpu' }] } }, [['FieldValueRequired', 'metadata.taints[0].effect']]],
    ['duplicate taint', { metadata: { name: 'n' }, spec: { taints: [{ key: 'a', effect: 'NoSchedule' }, { key: 'a', effect: 'NoSchedule', value: 'x' }] } }, [['FieldValueDuplicate', 'metadata.taints[1]']]],
    ['bad pod CIDR', { metadata: { name: 'n' }, spec: { podCIDRs: ['10.244.1.0/33'] } }, [['FieldValueInvalid', 'spec.podCIDRs[0]']]],
    ['negative capacity', { metadata: { name: 'n' }, status: { capacity: { cpu: '-1' } } }, [['FieldValueInvalid', 'status.capacity.cpu']]],
    ['fractional pods', { metadata: { name: 'n' }, status: { capacity: { pods: '1.5' } } }, [['FieldValueInvalid', 'status.capacity.pods']]],
  ]);
  it('fixes pod CIDRs and the provider ID once set', () => {
    const old = { metadata: { name: 'n' }, spec: { podCIDRs: ['10.244.1.0/24'], providerID: 'tug://n' } };
    expect(kinds(validateNode({ metadata: { name: 'n' }, spec: { podCIDRs: ['10.244.2.0/24'], providerID: 'tug://m' } }, old))).toEqual([
      ['FieldValueForbidden', 'spec.podCIDRs'],
      ['FieldValueForbidden', 'spec.providerID'],
    ]);
    expect(validateNode({ metadata: { name: 'n' }, spec: { podCIDRs: ['10.244.1.0/24'] } }, { metadata: { name: 'n' } })).toEqual([]);
  });
});

describe('Endpoints', () => {
  run(
    validateEndpoints,
    [
      ['valid', { metadata: ns, subsets: [{ addresses: [{ ip: '10.244.0.5' }], ports: [{ port: 80 }] }] }, []],
      ['no addresses', { metadata: ns, subsets: [{ ports: [{ port: 80 }] }] }, [['FieldValueRequired', 'subsets[0]']]],
      ['bad IP', { metadata: ns, subsets: [{ addresses: [{ ip: '10.244.0.500' }] }] }, [['FieldValueInvalid', 'subsets[0].addresses[0].ip'], ['FieldValueInvalid', 'subsets[0].addresses[0].ip']]],
      ['loopback IP', { metadata: ns, subsets: [{ addresses: [{ ip: '127.0.0.1' }] }] }, [['FieldValueInvalid', 'subsets[0].addresses[0].ip']]],
      ['unnamed ports', { metadata: ns, subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }, { port: 81 }] }] }, [['FieldValueRequired', 'subsets[0].ports[0].name'], ['FieldValueRequired', 'subsets[0].ports[1].name']]],
    ],
    (o) => (defaultEndpoints(o), o),
  );
});

describe('EndpointSlice', () => {
  const slice = (extra: any) => ({ metadata: ns, addressType: 'IPv4', endpoints: [{ addresses: ['10.244.0.5'] }], ports: [{ port: 80 }], ...extra });
  run(
    validateEndpointSlice,
    [
      ['valid', slice({}), []],
      ['unknown address type', slice({ addressType: 'IPv5', endpoints: [] }), [['FieldValueNotSupported', 'addressType']]],
      ['missing address type', slice({ addressType: undefined, endpoints: [] }), [['FieldValueRequired', 'addressType']]],
      ['endpoint without addresses', slice({ endpoints: [{ addresses: [] }] }), [['FieldValueRequired', 'endpoints[0].addresses']]],
      ['IPv6 address in an IPv4 slice', slice({ endpoints: [{ addresses: ['fd00::1'] }] }), [['FieldValueInvalid', 'endpoints[0].addresses[0]']]],
      ['FQDN', slice({ addressType: 'FQDN', endpoints: [{ addresses: ['db.example.com'] }] }), []],
      ['duplicate port names', slice({ ports: [{ port: 80 }, { port: 81 }] }), [['FieldValueDuplicate', 'ports[1].name']]],
    ],
    (o) => (defaultEndpointSlice(o), o),
  );
  it('keeps the address type', () => {
    const next = slice({ addressType: 'IPv6', endpoints: [] });
    defaultEndpointSlice(next);
    expect(kinds(validateEndpointSlice(next, slice({})))).toEqual([['FieldValueInvalid', 'addressType']]);
  });
});

describe('Event', () => {
  const involved = { kind: 'Pod', name: 'web', namespace: 'default' };
  run(validateEvent, [
    ['legacy event', { metadata: { name: 'web.17a', namespace: 'default' }, involvedObject: involved, reason: 'Started', type: 'Normal' }, []],
    ['namespace mismatch', { metadata: { name: 'e', namespace: 'default' }, involvedObject: { ...involved, namespace: 'other' } }, [['FieldValueInvalid', 'involvedObject.namespace']]],
    ['series event without reporting data', { metadata: { name: 'e', namespace: 'default' }, involvedObject: involved, eventTime: '2024-01-01T00:00:00.000000Z' }, [
      ['FieldValueRequired', 'reportingComponent'],
      ['FieldValueInvalid', 'reportingComponent'],
      ['FieldValueRequired', 'reportingInstance'],
      ['FieldValueRequired', 'action'],
      ['FieldValueRequired', 'reason'],
    ]],
  ]);
});

describe('Lease', () => {
  run(validateLease, [
    ['valid', { metadata: { name: 'node-1', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40 } }, []],
    ['zero duration', { metadata: ns, spec: { leaseDurationSeconds: 0 } }, [['FieldValueInvalid', 'spec.leaseDurationSeconds']]],
    ['negative transitions', { metadata: ns, spec: { leaseTransitions: -1 } }, [['FieldValueInvalid', 'spec.leaseTransitions']]],
  ]);
});

describe('LimitRange', () => {
  const lr = (limits: any[]) => ({ metadata: ns, spec: { limits } });
  run(
    validateLimitRange,
    [
      ['valid', lr([{ type: 'Container', max: { cpu: '2' }, min: { cpu: '100m' }, default: { cpu: '500m' } }]), []],
      ['min above max', lr([{ type: 'Container', max: { cpu: '1' }, min: { cpu: '2' } }]), [
        ['FieldValueInvalid', 'spec.limits[0].min[cpu]'],
        ['FieldValueInvalid', 'spec.limits[0].defaultRequest[cpu]'],
        ['FieldValueInvalid', 'spec.limits[0].default[cpu]'],
      ]],
      ['defaults on a Pod limit', lr([{ type: 'Pod', default: { cpu: '1' } }]), [['FieldValueForbidden', 'spec.limits[0].default']]],
      ['duplicate type', lr([{ type: 'Container' }, { type: 'Container' }]), [['FieldValueDuplicate', 'spec.limits[1].type']]],
      ['unknown type', lr([{ type: 'Node' }]), [['FieldValueInvalid', 'spec.limits[0].type']]],
      ['PVC limit without storage', lr([{ type: 'PersistentVolumeClaim', max: {} }]), [['FieldValueRequired', 'spec.limits[0].limits']]],
    ],
    (o) => (defaultLimitRange(o), o),
  );
});

describe('ResourceQuota', () => {
  run(validateResourceQuota, [
    ['valid', { metadata: ns, spec: { hard: { pods: '10', 'requests.cpu': '4', 'count/deployments.apps': '5', 'requests.nvidia.com/gpu': '2' } } }, []],
    ['unknown resource', { metadata: ns, spec: { hard: { widgets: '1' } } }, [['FieldValueInvalid', 'spec.hard[widgets]'], ['FieldValueInvalid', 'spec.hard[widgets]']]],
    ['fractional pods', { metadata: ns, spec: { hard: { pods: '1.5' } } }, [['FieldValueInvalid', 'spec.hard[pods]']]],
    ['conflicting scopes', { metadata: ns, spec: { hard: { pods: '1' }, scopes: ['BestEffort', 'NotBestEffort'] } }, [['FieldValueInvalid', 'spec.scopes']]],
  ]);
});

describe('NetworkPolicy', () => {
  const np = (spec: any) => ({ metadata: ns, spec: { podSelector: {}, ...spec } });
  run(
    validateNetworkPolicy,
    [
      ['valid', np({ ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 80 }] }], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }] }), []],
      ['empty peer', np({ ingress: [{ from: [{}] }] }), [['FieldValueRequired', 'spec.ingress[0].from[0]']]],
      ['ipBlock with another peer', np({ ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }] }), [['FieldValueForbidden', 'spec.ingress[0].from[0]']]],
      ['except outside cidr', np({ egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['192.168.0.0/24'] } }] }] }), [['FieldValueInvalid', 'spec.egress[0].to[0].ipBlock.except[0]']]],
      ['endPort below port', np({ ingress: [{ ports: [{ port: 90, endPort: 80 }] }] }), [['FieldValueInvalid', 'spec.ingress[0].ports[0].endPort']]],
      ['bad policy type', np({ policyTypes: ['Sideways'] }), [['FieldValueNotSupported', 'spec.policyTypes[0]']]],
    ],
    (o) => (defaultNetworkPolicy(o), o),
  );
});

describe('Ingress', () => {
  const backend = { service: { name: 'web', port: { number: 80 } } };
  const ing = (spec: any) => ({ metadata: ns, spec });
  run(validateIngress, [
    ['valid', ing({ rules: [{ host: 'app.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } }] }), []],
    ['wildcard host', ing({ rules: [{ host: '*.example.com', http: { paths: [{ path: '/', pathType: 'Exact', backend }] } }] }), []],
    ['no rules or default backend', ing({}), [['FieldValueInvalid', 'spec']]],
    ['missing pathType', ing({ rules: [{ http: { paths: [{ path: '/', backend }] } }] }), [['FieldValueRequired', 'spec.rules[0].http.paths[0].pathType']]],
    ['relative Prefix path', ing({ rules: [{ http: { paths: [{ path: 'api', pathType: 'Prefix', backend }] } }] }), [['FieldValueInvalid', 'spec.rules[0].http.paths[0].path']]],
    ['unknown pathType', ing({ rules: [{ http: { paths: [{ path: '/', pathType: 'Regex', backend }] } }] }), [['FieldValueNotSupported', 'spec.rules[0].http.paths[0].pathType']]],
    ['IP host', ing({ rules: [{ host: '10.0.0.1', http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } }] }), [['FieldValueInvalid', 'spec.rules[0].host']]],
    ['backend without port', ing({ defaultBackend: { service: { name: 'web', port: {} } } }), [['FieldValueRequired', 'spec.defaultBackend']]],
  ]);
});

describe('IngressClass', () => {
  run(validateIngressClass, [
    ['valid', { metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx' } }, []],
    ['no controller', { metadata: { name: 'nginx' }, spec: {} }, [['FieldValueRequired', 'spec.controller']]],
    ['controller without domain', { metadata: { name: 'nginx' }, spec: { controller: 'nginx' } }, [['FieldValueInvalid', 'spec.controller']]],
  ]);
});

describe('PriorityClass', () => {
  run(validatePriorityClass, [
    ['valid', { metadata: { name: 'high' }, value: 1000000, preemptionPolicy: 'PreemptLowerPriority' }, []],
    ['above the user maximum', { metadata: { name: 'huge' }, value: 1000000001 }, [['FieldValueForbidden', 'value']]],
    ['reserved prefix', { metadata: { name: 'system-mine' }, value: 10 }, [['FieldValueForbidden', 'metadata.name']]],
    ['known system class', { metadata: { name: 'system-node-critical' }, value: 2000001000 }, []],
    ['bad preemption policy', { metadata: { name: 'p' }, value: 1, preemptionPolicy: 'Always' }, [['FieldValueNotSupported', 'preemptionPolicy']]],
  ]);
  it('keeps the value fixed', () => {
    expect(kinds(validatePriorityClass({ metadata: { name: 'p' }, value: 2 }, { metadata: { name: 'p' }, value: 1 }))).toEqual([['FieldValueForbidden', 'value']]);
  });
  it('words the maximum as upstream', () => {
    expect(validatePriorityClass({ metadata: { name: 'huge' }, value: 2e9 })[0]!.message).toBe('Forbidden: maximum allowed value of a user defined priority is 1000000000');
  });
});

describe('PodDisruptionBudget', () => {
  run(validatePodDisruptionBudget, [
    ['valid', { metadata: ns, spec: { minAvailable: '50%', selector: { matchLabels: { app: 'web' } } } }, []],
    ['both bounds', { metadata: ns, spec: { minAvailable: 1, maxUnavailable: 1 } }, [['FieldValueInvalid', 'spec']]],
    ['over 100%', { metadata: ns, spec: { maxUnavailable: '120%' } }, [['FieldValueInvalid', 'spec.maxUnavailable']]],
    ['bad eviction policy', { metadata: ns, spec: { unhealthyPodEvictionPolicy: 'Never' } }, [['FieldValueNotSupported', 'spec.unhealthyPodEvictionPolicy']]],
  ]);
});

describe('SelfSubjectAccessReview', () => {
  run(validateSelfSubjectAccessReview, [
    ['resource attributes', { spec: { resourceAttributes: { verb: 'get', resource: 'pods' } } }, []],
    ['non-resource attributes', { metadata: { creationTimestamp: null }, spec: { nonResourceAttributes: { verb: 'get', path: '/healthz' } } }, []],
    ['neither', { spec: {} }, [['FieldValueInvalid', 'spec.resourceAttributes']]],
    ['both', { spec: { resourceAttributes: {}, nonResourceAttributes: {} } }, [['FieldValueInvalid', 'spec.nonResourceAttributes']]],
    ['with a name', { metadata: { name: 'x' }, spec: { resourceAttributes: {} } }, [['FieldValueInvalid', 'metadata']]],
  ]);
  it('words the missing-attributes error as upstream', () => {
    expect(validateSelfSubjectAccessReview({ spec: {} })[0]!.message).toBe('Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified');
  });
});
