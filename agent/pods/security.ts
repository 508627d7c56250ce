/**
 * The effective security settings of a container: its securityContext over the pod's
 * (runAsUser, runAsGroup, runAsNonRoot), the pod's supplementalGroups plus fsGroup, and the
 * container-only ones (privileged, capabilities, readOnlyRootFilesystem, allowPrivilegeEscalation
 * false → no_new_privs). runAsNonRoot with a root (or unknown, i.e. the image's default) user is
 * refused as the kubelet refuses it: a ConfigError.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { SecurityConfig } from '../runtime/runtime.js';
import { ConfigError } from './env.js';

export function securityConfig(pod: Pod, container: Container): SecurityConfig {
  const p = pod.spec?.securityContext ?? {};
  const c = container.securityContext ?? {};
  const runAsUser = c.runAsUser ?? p.runAsUser;
  const runAsGroup = c.runAsGroup ?? p.runAsGroup;
  if (c.runAsNonRoot ?? p.runAsNonRoot) {
    if (runAsUser === undefined) throw new ConfigError('container has runAsNonRoot and image will run as root');
    if (runAsUser === 0) throw new ConfigError(`container's runAsUser breaks non-root policy (pod: "${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})", container: ${container.name})`);
  }
  const groups = [...(p.supplementalGroups ?? []), ...(p.fsGroup !== undefined ? [p.fsGroup] : [])];
  const out: SecurityConfig = {};
  if (runAsUser !== undefined) out.runAsUser = runAsUser;
  if (runAsGroup !== undefined) out.runAsGroup = runAsGroup;
  if (groups.length > 0) out.supplementalGroups = [...new Set(groups)];
  if (c.privileged) out.privileged = true;
  if (c.capabilities?.add?.length) out.capAdd = [...c.capabilities.add];
  if (c.capabilities?.drop?.length) out.capDrop = [...c.capabilities.drop];
  if (c.readOnlyRootFilesystem) out.readOnlyRootFilesystem = true;
  if (c.allowPrivilegeEscalation === false) out.noNewPrivileges = true;
  return out;
}

/** Namespaced sysctls of the pod (spec.securityContext.sysctls), for the sandbox. */
export function podSysctls(pod: Pod): Record<string, string> | undefined {
  const list = pod.spec?.securityContext?.sysctls ?? [];
  return list.length > 0 ? Object.fromEntries(list.map((s) => [s.name, s.value])) : undefined;
}
