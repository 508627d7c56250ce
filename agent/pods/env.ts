/**
 * A container's environment as the kubelet builds it (makeEnvironmentVariables): envFrom sources
 * first (with prefix; keys that are not valid names are skipped and reported), then env entries in
 * order — a value has `$(VAR)` expanded against what is defined so far, a valueFrom is resolved
 * (fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef). A later definition of a name
 * replaces the earlier value. Missing non-optional sources fail with ConfigError (the container
 * then waits with CreateContainerConfigError); optional ones are skipped.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { podFieldValue, resourceFieldValue, type NodeAllocatable, type PodAddresses } from '../volumes/downward.js';
import { configMapData, missing, secretData, type ConfigSource } from '../volumes/sources.js';
import { expand } from './expansion.js';

/** A container's configuration cannot be built from what the API holds. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface EnvContext {
  pod: Pod;
  container: Container;
  sources: ConfigSource;
  addresses: PodAddresses;
  allocatable: NodeAllocatable;
}

export interface EnvResult {
  env: { name: string; value: string }[];
  /** envFrom keys skipped for invalid names, per source, for the InvalidEnvironmentVariableNames event. */
  skipped: { kind: 'configMap' | 'secret'; name: string; keys: string[] }[];
}

/** Env var names as upstream accepts them (relaxed validation): printable ASCII without '='. */
export function isEnvVarName(name: string): boolean {
  return name.length > 0 && /^[\x20-\x7e]+$/.test(name) && !name.includes('=');
}

export async function containerEnv(ctx: EnvContext): Promise<EnvResult> {
  const { pod, container, sources } = ctx;
  const namespace = pod.metadata?.namespace ?? 'default';
  const vars = new Map<string, string>();
  const skipped: EnvResult['skipped'] = [];
  const configMaps = new Map<string, Map<string, Buffer> | undefined>();
  const secrets = new Map<string, Map<string, Buffer> | undefined>();
  const configMap = async (name: string) => {
    if (!configMaps.has(name)) {
      const cm = await sources.configMap(namespace, name);
      configMaps.set(name, cm && configMapData({ ...cm, binaryData: undefined }));
    }
    return configMaps.get(name);
  };
  const secret = async (name: string) => {
    if (!secrets.has(name)) {
      const s = await sources.secret(namespace, name);
      secrets.set(name, s && secretData(s));
    }
    return secrets.get(name);
  };

  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref?.name) continue;
    const kind = from.configMapRef ? 'configMap' : 'secret';
    const data = kind === 'configMap' ? await configMap(ref.name) : await secret(ref.name);
    if (!data) {
      if (ref.optional) continue;
      throw new ConfigError(missing[kind](ref.name));
    }
    const invalid: string[] = [];
    for (const [key, value] of data) {
      const name = (from.prefix ?? '') + key;
      if (!isEnvVarName(name)) invalid.push(name);
      else vars.set(name, value.toString('utf8'));
    }
    if (invalid.length > 0) skipped.push({ kind, name: ref.name, keys: invalid.sort() });
  }

  for (const e of container.env ?? []) {
    let value = e.value ?? '';
    const from = e.valueFrom;
    if (value !== '') {
      value = expand(value, (name) => vars.get(name));
    } else if (from?.fieldRef) {
      value = podFieldValue(pod, from.fieldRef, ctx.addresses);
    } else if (from?.resourceFieldRef) {
      const target = from.resourceFieldRef.containerName
        ? [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === from.resourceFieldRef!.containerName)
        : container;
      if (!target) throw new ConfigError(`container ${from.resourceFieldRef.containerName} not found`);
      value = resourceFieldValue(target, from.resourceFieldRef, ctx.allocatable);
    } else if (from?.configMapKeyRef || from?.secretKeyRef) {
      const ref = (from.configMapKeyRef ?? from.secretKeyRef)!;
      const kind = from.configMapKeyRef ? 'configMap' : 'secret';
      const data = kind === 'configMap' ? await configMap(ref.name!) : await secret(ref.name!);
      if (!data) {
        if (ref.optional) continue;
        throw new ConfigError(missing[kind](ref.name!));
      }
      const found = data.get(ref.key);
      if (found === undefined) {
        if (ref.optional) continue;
        throw new ConfigError(`couldn't find key ${ref.key} in ${kind === 'configMap' ? 'ConfigMap' : 'Secret'} ${namespace}/${ref.name}`);
      }
      value = found.toString('utf8');
    }
    vars.set(e.name, value);
  }
  return { env: [...vars].map(([name, value]) => ({ name, value })), skipped };
}
