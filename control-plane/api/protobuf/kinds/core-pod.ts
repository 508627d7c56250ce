/**
 * core/v1 PodTemplateSpec and everything in it: PodSpec, Container (and EphemeralContainer), env,
 * probes and lifecycle handlers, security contexts, affinity, tolerations and topology spread.
 * Field numbers are upstream's; `pointer` marks Go pointer fields.
 */
import { always, f, inline, list, message, pointer } from './fields.js';
import {
  KEY_SELECTOR,
  LOCAL_OBJECT_REFERENCE,
  OBJECT_FIELD_SELECTOR,
  OPTIONAL_LOCAL_REFERENCE,
  RESOURCE_FIELD_SELECTOR,
  RESOURCE_REQUIREMENTS,
} from './core-refs.js';
import { VOLUME } from './core-volumes.js';
import { LABEL_SELECTOR, OBJECT_META } from './meta.js';

const ENV_VAR = message({
  1: f('name', 'string'),
  2: f('value', 'string'),
  3: f(
    'valueFrom',
    message({
      1: f('fieldRef', OBJECT_FIELD_SELECTOR),
      2: f('resourceFieldRef', RESOURCE_FIELD_SELECTOR),
      3: f('configMapKeyRef', KEY_SELECTOR),
      4: f('secretKeyRef', KEY_SELECTOR),
      5: f('fileKeyRef', message({ 1: f('volumeName', 'string'), 2: f('path', 'string'), 3: f('key', 'string'), 4: pointer('optional', 'bool') })),
    }),
  ),
});

const ENV_FROM_SOURCE = message({ 1: f('prefix', 'string'), 2: f('configMapRef', OPTIONAL_LOCAL_REFERENCE), 3: f('secretRef', OPTIONAL_LOCAL_REFERENCE) });

const CONTAINER_PORT = message({
  1: f('name', 'string'),
  2: f('hostPort', 'int32'),
  3: f('containerPort', 'int32'),
  4: f('protocol', 'string'),
  5: f('hostIP', 'string'),
});

const VOLUME_MOUNT = message({
  1: f('name', 'string'),
  2: f('readOnly', 'bool'),
  7: pointer('recursiveReadOnly', 'string'),
  3: f('mountPath', 'string'),
  4: f('subPath', 'string'),
  5: pointer('mountPropagation', 'string'),
  6: f('subPathExpr', 'string'),
});

const EXEC_ACTION = message({ 1: list('command', 'string') });

const HTTP_GET_ACTION = message({
  1: f('path', 'string'),
  2: f('port', 'intOrString'),
  3: f('host', 'string'),
  4: f('scheme', 'string'),
  5: list('httpHeaders', message({ 1: f('name', 'string'), 2: always('value', 'string') })),
});

const TCP_SOCKET_ACTION = message({ 1: f('port', 'intOrString'), 2: f('host', 'string') });

const PROBE = message({
  1: inline(
    'handler',
    message({
      1: f('exec', EXEC_ACTION),
      2: f('httpGet', HTTP_GET_ACTION),
      3: f('tcpSocket', TCP_SOCKET_ACTION),
      4: f('grpc', message({ 1: f('port', 'int32'), 2: pointer('service', 'string') })),
    }),
  ),
  2: f('initialDelaySeconds', 'int32'),
  3: f('timeoutSeconds', 'int32'),
  4: f('periodSeconds', 'int32'),
  5: f('successThreshold', 'int32'),
  6: f('failureThreshold', 'int32'),
  7: pointer('terminationGracePeriodSeconds', 'int64'),
});

const LIFECYCLE_HANDLER = message({
  1: f('exec', EXEC_ACTION),
  2: f('httpGet', HTTP_GET_ACTION),
  3: f('tcpSocket', TCP_SOCKET_ACTION),
  4: f('sleep', message({ 1: always('seconds', 'int64') })),
});

const LIFECYCLE = message({ 1: f('postStart', LIFECYCLE_HANDLER), 2: f('preStop', LIFECYCLE_HANDLER), 3: pointer('stopSignal', 'string') });

const SE_LINUX_OPTIONS = message({ 1: f('user', 'string'), 2: f('role', 'string'), 3: f('type', 'string'), 4: f('level', 'string') });

const WINDOWS_OPTIONS = message({
  1: pointer('gmsaCredentialSpecName', 'string'),
  2: pointer('gmsaCredentialSpec', 'string'),
  3: pointer('runAsUserName', 'string'),
  4: pointer('hostProcess', 'bool'),
});

/** SeccompProfile and AppArmorProfile: {type, localhostProfile}. */
const PROFILE = message({ 1: f('type', 'string'), 2: pointer('localhostProfile', 'string') });

const SECURITY_CONTEXT = message({
  1: f('capabilities', message({ 1: list('add', 'string'), 2: list('drop', 'string') })),
  2: pointer('privileged', 'bool'),
  3: f('seLinuxOptions', SE_LINUX_OPTIONS),
  10: f('windowsOptions', WINDOWS_OPTIONS),
  4: pointer('runAsUser', 'int64'),
  8: pointer('runAsGroup', 'int64'),
  5: pointer('runAsNonRoot', 'bool'),
  6: pointer('readOnlyRootFilesystem', 'bool'),
  7: pointer('allowPrivilegeEscalation', 'bool'),
  9: pointer('procMount', 'string'),
  11: f('seccompProfile', PROFILE),
  12: f('appArmorProfile', PROFILE),
  13: list('ulimits', message({ 1: f('name', 'string'), 2: always('hard', 'int64'), 3: always('soft', 'int64') })),
});

/** The fields of Container, which EphemeralContainer inlines as EphemeralContainerCommon. */
const CONTAINER_FIELDS = {
  1: f('name', 'string'),
  2: f('image', 'string'),
  3: list('command', 'string'),
  4: list('args', 'string'),
  5: f('workingDir', 'string'),
  6: list('ports', CONTAINER_PORT),
  19: list('envFrom', ENV_FROM_SOURCE),
  7: list('env', ENV_VAR),
  8: f('resources', RESOURCE_REQUIREMENTS),
  23: list('resizePolicy', message({ 1: f('resourceName', 'string'), 2: f('restartPolicy', 'string') })),
  24: pointer('restartPolicy', 'string'),
  25: list(
    'restartPolicyRules',
    message({ 1: f('action', 'string'), 2: f('exitCodes', message({ 1: f('operator', 'string'), 2: list('values', 'int32') })) }),
  ),
  9: list('volumeMounts', VOLUME_MOUNT),
  21: list('volumeDevices', message({ 1: f('name', 'string'), 2: f('devicePath', 'string') })),
  10: f('livenessProbe', PROBE),
  11: f('readinessProbe', PROBE),
  22: f('startupProbe', PROBE),
  12: f('lifecycle', LIFECYCLE),
  13: f('terminationMessagePath', 'string'),
  20: f('terminationMessagePolicy', 'string'),
  14: f('imagePullPolicy', 'string'),
  15: f('securityContext', SECURITY_CONTEXT),
  16: f('stdin', 'bool'),
  17: f('stdinOnce', 'bool'),
  18: f('tty', 'bool'),
};

const CONTAINER = message(CONTAINER_FIELDS);

const EPHEMERAL_CONTAINER = message({ 1: inline('ephemeralContainerCommon', message(CONTAINER_FIELDS)), 2: f('targetContainerName', 'string') });

const NODE_SELECTOR_REQUIREMENT = message({ 1: f('key', 'string'), 2: f('operator', 'string'), 3: list('values', 'string') });

const NODE_SELECTOR_TERM = message({ 1: list('matchExpressions', NODE_SELECTOR_REQUIREMENT), 2: list('matchFields', NODE_SELECTOR_REQUIREMENT) });

const POD_AFFINITY_TERM = message({
  1: f('labelSelector', LABEL_SELECTOR),
  2: list('namespaces', 'string'),
  3: f('topologyKey', 'string'),
  4: f('namespaceSelector', LABEL_SELECTOR),
  5: list('matchLabelKeys', 'string'),
  6: list('mismatchLabelKeys', 'string'),
});

/** PodAffinity and PodAntiAffinity. */
const POD_AFFINITY = message({
  1: list('requiredDuringSchedulingIgnoredDuringExecution', POD_AFFINITY_TERM),
  2: list('preferredDuringSchedulingIgnoredDuringExecution', message({ 1: f('weight', 'int32'), 2: f('podAffinityTerm', POD_AFFINITY_TERM) })),
});

const AFFINITY = message({
  1: f(
    'nodeAffinity',
    message({
      1: f('requiredDuringSchedulingIgnoredDuringExecution', message({ 1: list('nodeSelectorTerms', NODE_SELECTOR_TERM) })),
      2: list('preferredDuringSchedulingIgnoredDuringExecution', message({ 1: f('weight', 'int32'), 2: f('preference', NODE_SELECTOR_TERM) })),
    }),
  ),
  2: f('podAffinity', POD_AFFINITY),
  3: f('podAntiAffinity', POD_AFFINITY),
});

const TOLERATION = message({
  1: f('key', 'string'),
  2: f('operator', 'string'),
  3: f('value', 'string'),
  4: f('effect', 'string'),
  5: pointer('tolerationSeconds', 'int64'),
});

const POD_SECURITY_CONTEXT = message({
  1: f('seLinuxOptions', SE_LINUX_OPTIONS),
  8: f('windowsOptions', WINDOWS_OPTIONS),
  2: pointer('runAsUser', 'int64'),
  6: pointer('runAsGroup', 'int64'),
  3: pointer('runAsNonRoot', 'bool'),
  4: list('supplementalGroups', 'int64'),
  12: pointer('supplementalGroupsPolicy', 'string'),
  5: pointer('fsGroup', 'int64'),
  7: list('sysctls', message({ 1: f('name', 'string'), 2: always('value', 'string') })),
  9: pointer('fsGroupChangePolicy', 'string'),
  10: f('seccompProfile', PROFILE),
  11: f('appArmorProfile', PROFILE),
  13: pointer('seLinuxChangePolicy', 'string'),
});

const TOPOLOGY_SPREAD_CONSTRAINT = message({
  1: f('maxSkew', 'int32'),
  2: f('topologyKey', 'string'),
  3: f('whenUnsatisfiable', 'string'),
  4: f('labelSelector', LABEL_SELECTOR),
  5: pointer('minDomains', 'int32'),
  6: pointer('nodeAffinityPolicy', 'string'),
  7: pointer('nodeTaintsPolicy', 'string'),
  8: list('matchLabelKeys', 'string'),
});

const POD_SPEC = message({
  1: list('volumes', VOLUME),
  20: list('initContainers', CONTAINER),
  2: list('containers', CONTAINER),
  34: list('ephemeralContainers', EPHEMERAL_CONTAINER),
  3: f('restartPolicy', 'string'),
  4: pointer('terminationGracePeriodSeconds', 'int64'),
  5: pointer('activeDeadlineSeconds', 'int64'),
  6: f('dnsPolicy', 'string'),
  7: f('nodeSelector', 'stringMap'),
  8: f('serviceAccountName', 'string'),
  9: f('serviceAccount', 'string'),
  21: pointer('automountServiceAccountToken', 'bool'),
  10: f('nodeName', 'string'),
  11: f('hostNetwork', 'bool'),
  12: f('hostPID', 'bool'),
  13: f('hostIPC', 'bool'),
  27: pointer('shareProcessNamespace', 'bool'),
  14: f('securityContext', POD_SECURITY_CONTEXT),
  15: list('imagePullSecrets', LOCAL_OBJECT_REFERENCE),
  16: f('hostname', 'string'),
  17: f('subdomain', 'string'),
  18: f('affinity', AFFINITY),
  19: f('schedulerName', 'string'),
  22: list('tolerations', TOLERATION),
  23: list('hostAliases', message({ 1: f('ip', 'string'), 2: list('hostnames', 'string') })),
  24: f('priorityClassName', 'string'),
  25: pointer('priority', 'int32'),
  26: f(
    'dnsConfig',
    message({
      1: list('nameservers', 'string'),
      2: list('searches', 'string'),
      3: list('options', message({ 1: f('name', 'string'), 2: pointer('value', 'string') })),
    }),
  ),
  28: list('readinessGates', message({ 1: f('conditionType', 'string') })),
  29: pointer('runtimeClassName', 'string'),
  30: pointer('enableServiceLinks', 'bool'),
  31: pointer('preemptionPolicy', 'string'),
  32: f('overhead', 'quantityMap'),
  33: list('topologySpreadConstraints', TOPOLOGY_SPREAD_CONSTRAINT),
  35: pointer('setHostnameAsFQDN', 'bool'),
  36: f('os', message({ 1: f('name', 'string') })),
  37: pointer('hostUsers', 'bool'),
  38: list('schedulingGates', message({ 1: f('name', 'string') })),
  39: list(
    'resourceClaims',
    message({ 1: f('name', 'string'), 3: pointer('resourceClaimName', 'string'), 4: pointer('resourceClaimTemplateName', 'string') }),
  ),
  40: f('resources', RESOURCE_REQUIREMENTS),
  41: pointer('hostnameOverride', 'string'),
  42: f('workloadRef', message({ 1: f('name', 'string'), 2: f('podGroup', 'string'), 3: f('podGroupReplicaKey', 'string') })),
});

export const POD_TEMPLATE_SPEC = message({ 1: f('metadata', OBJECT_META), 2: f('spec', POD_SPEC) });
