/**
 * core/v1 kinds kubectl creates with protobuf bodies: ConfigMap, Secret, Namespace, ServiceAccount
 * (`create configmap|secret|namespace|serviceaccount`), Service (`create service ...`) and
 * ResourceQuota (`create quota`).
 */
import { f, list, message, pointer } from './fields.js';
import { LOCAL_OBJECT_REFERENCE, OBJECT_REFERENCE } from './core-refs.js';
import { CONDITION, OBJECT_META } from './meta.js';

export const CONFIG_MAP = message({
  1: f('metadata', OBJECT_META),
  2: f('data', 'stringMap'),
  3: f('binaryData', 'bytesMap'),
  4: pointer('immutable', 'bool'),
});

export const SECRET = message({
  1: f('metadata', OBJECT_META),
  2: f('data', 'bytesMap'),
  3: f('type', 'string'),
  4: f('stringData', 'stringMap'),
  5: pointer('immutable', 'bool'),
});

export const NAMESPACE = message({
  1: f('metadata', OBJECT_META),
  2: f('spec', message({ 1: list('finalizers', 'string') })),
  3: f(
    'status',
    message({
      1: f('phase', 'string'),
      2: list(
        'conditions',
        message({ 1: f('type', 'string'), 2: f('status', 'string'), 4: f('lastTransitionTime', 'time'), 5: f('reason', 'string'), 6: f('message', 'string') }),
      ),
    }),
  ),
});

export const SERVICE_ACCOUNT = message({
  1: f('metadata', OBJECT_META),
  2: list('secrets', OBJECT_REFERENCE),
  3: list('imagePullSecrets', LOCAL_OBJECT_REFERENCE),
  4: pointer('automountServiceAccountToken', 'bool'),
});

const SERVICE_PORT = message({
  1: f('name', 'string'),
  2: f('protocol', 'string'),
  6: pointer('appProtocol', 'string'),
  3: f('port', 'int32'),
  4: f('targetPort', 'intOrString'),
  5: f('nodePort', 'int32'),
});

const SERVICE_SPEC = message({
  1: list('ports', SERVICE_PORT),
  2: f('selector', 'stringMap'),
  3: f('clusterIP', 'string'),
  18: list('clusterIPs', 'string'),
  4: f('type', 'string'),
  5: list('externalIPs', 'string'),
  7: f('sessionAffinity', 'string'),
  8: f('loadBalancerIP', 'string'),
  9: list('loadBalancerSourceRanges', 'string'),
  10: f('externalName', 'string'),
  11: f('externalTrafficPolicy', 'string'),
  12: f('healthCheckNodePort', 'int32'),
  13: f('publishNotReadyAddresses', 'bool'),
  14: f('sessionAffinityConfig', message({ 1: f('clientIP', message({ 1: pointer('timeoutSeconds', 'int32') })) })),
  19: list('ipFamilies', 'string'),
  17: pointer('ipFamilyPolicy', 'string'),
  20: pointer('allocateLoadBalancerNodePorts', 'bool'),
  21: pointer('loadBalancerClass', 'string'),
  22: pointer('internalTrafficPolicy', 'string'),
  23: pointer('trafficDistribution', 'string'),
});

const LOAD_BALANCER_INGRESS = message({
  1: f('ip', 'string'),
  2: f('hostname', 'string'),
  3: pointer('ipMode', 'string'),
  4: list('ports', message({ 1: f('port', 'int32'), 2: f('protocol', 'string'), 3: pointer('error', 'string') })),
});

export const SERVICE = message({
  1: f('metadata', OBJECT_META),
  2: f('spec', SERVICE_SPEC),
  3: f('status', message({ 1: f('loadBalancer', message({ 1: list('ingress', LOAD_BALANCER_INGRESS) })), 2: list('conditions', CONDITION) })),
});

export const RESOURCE_QUOTA = message({
  1: f('metadata', OBJECT_META),
  2: f(
    'spec',
    message({
      1: f('hard', 'quantityMap'),
      2: list('scopes', 'string'),
      3: f(
        'scopeSelector',
        message({ 1: list('matchExpressions', message({ 1: f('scopeName', 'string'), 2: f('operator', 'string'), 3: list('values', 'string') })) }),
      ),
    }),
  ),
  3: f('status', message({ 1: f('hard', 'quantityMap'), 2: f('used', 'quantityMap') })),
});
