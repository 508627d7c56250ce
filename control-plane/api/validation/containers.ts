/**
 * Regular and init containers as upstream's validateContainers / validateInitContainers check
 * them: names (DNS-1123 labels, unique across init and regular containers), image, ports, env,
 * volume mounts, pull and termination-message policies, resources, probes and lifecycle hooks.
 * Expects defaulted containers (imagePullPolicy, terminationMessagePolicy, port protocols set).
 */
import { dns1123Label } from '../names.js';
import type { FieldError } from '../status.js';
import { Path, duplicate, forbidden, invalid, invalidEach, notFound, notSupported, required } from './field.js';
import { httpHeaderName, portName, portNumber, unixID } from './formats.js';
import { isSet, list, record, text } from './json.js';
import { nonNegative, validateEnum } from './meta.js';
import { validateEnv, validateEnvFrom } from './env.js';
import { validateResourceRequirements } from './resources.js';
import { validateLocalDescendingPath } from './volumes.js';

export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const MOUNT_PROPAGATIONS = ['Bidirectional', 'HostToContainer', 'None'];

/** What every container check needs from the pod. */
export interface PodContext {
  volumes: Map<string, Record<string, any>>;
  gracePeriod: number | undefined;
  restartPolicy: string;
}

/** A port given as a number or an IANA service name (probe and service target ports). */
export function validatePortNumOrName(port: unknown, path: Path): FieldError[] {
  if (typeof port === 'number') return invalidEach(path, port, portNumber(port));
  if (typeof port === 'string') return invalidEach(path, port, portName(port));
  return [invalid(path, port ?? null, 'must be an integer or a port name')];
}

function validatePorts(ports: unknown, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  list(ports).forEach((raw, i) => {
    const port = record(raw);
    const p = path.index(i);
    const name = text(port.name);
    if (name) {
      const msgs = portName(name);
      if (msgs.length) errs.push(...invalidEach(p.child('name'), name, msgs));
      else if (names.has(name)) errs.push(duplicate(p.child('name'), name));
      else names.add(name);
    }
    if (!port.containerPort) errs.push(required(p.child('containerPort')));
    else errs.push(...invalidEach(p.child('containerPort'), port.containerPort, portNumber(port.containerPort)));
    if (port.hostPort) errs.push(...invalidEach(p.child('hostPort'), port.hostPort, portNumber(port.hostPort)));
    errs.push(...validateEnum(port.protocol, PROTOCOLS, p.child('protocol')));
  });
  return errs;
}

function validateVolumeMounts(mounts: unknown, ctx: PodContext, container: Record<string, any>, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const mountPaths = new Set<string>();
  list(mounts).forEach((raw, i) => {
    const m = record(raw);
    const p = path.index(i);
    const name = text(m.name);
    const mountPath = text(m.mountPath);
    if (!name) errs.push(required(p.child('name')));
    if (!ctx.volumes.has(name)) errs.push(notFound(p.child('name'), name));
    if (!mountPath) errs.push(required(p.child('mountPath')));
    if (mountPaths.has(mountPath)) errs.push(invalid(p.child('mountPath'), mountPath, 'must be unique'));
    mountPaths.add(mountPath);
    const subPath = text(m.subPath);
    const subPathExpr = text(m.subPathExpr);
    // Upstream reports subPath problems at the list's path, not the item's.
    if (subPath) errs.push(...validateLocalDescendingPath(subPath, path.child('subPath')));
    if (subPathExpr) {
      if (subPath) errs.push(invalid(p.child('subPathExpr'), subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...validateLocalDescendingPath(subPathExpr, path.child('subPathExpr')));
    }
    if (isSet(m.mountPropagation)) {
      const mp = path.child('mountPropagation');
      if (!MOUNT_PROPAGATIONS.includes(m.mountPropagation)) errs.push(notSupported(mp, m.mountPropagation, MOUNT_PROPAGATIONS));
      if (m.mountPropagation === 'Bidirectional' && record(container.securityContext).privileged !== true) {
        errs.push(forbidden(mp, 'Bidirectional mount propagation is available only to privileged containers'));
      }
    }
  });
  return errs;
}

function validateSecurityContext(sc: unknown, path: Path): FieldError[] {
  if (!isSet(sc)) return [];
  const s = record(sc);
  const errs: FieldError[] = [];
  for (const field of ['runAsUser', 'runAsGroup'] as const) {
    if (typeof s[field] === 'number') errs.push(...invalidEach(path.child(field), s[field], unixID(s[field])));
  }
  if (isSet(s.procMount) && !['Default', 'Unmasked'].includes(s.procMount)) {
    errs.push(notSupported(path.child('procMount'), s.procMount, ['Default', 'Unmasked']));
  }
  if (s.allowPrivilegeEscalation === false && s.privileged === true) {
    errs.push(invalid(path, s, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
  }
  return errs;
}

/** Exactly one handler (exec, httpGet, tcpSocket, grpc; sleep for lifecycle hooks). */
function validateHandler(handler: Record<string, any>, kinds: readonly string[], ctx: PodContext, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const kind of kinds) {
    if (!isSet(handler[kind])) continue;
    if (count > 0) {
      errs.push(forbidden(path.child(kind), 'may not specify more than 1 handler type'));
      continue;
    }
    count++;
    const h = record(handler[kind]);
    const p = path.child(kind);
    switch (kind) {
      case 'exec':
        if (list(h.command).length === 0) errs.push(required(p.child('command')));
        break;
      case 'httpGet':
        if (!text(h.path)) errs.push(required(p.child('path')));
        errs.push(...validatePortNumOrName(h.port, p.child('port')));
        if (!['HTTP', 'HTTPS'].includes(h.scheme)) errs.push(notSupported(p.child('scheme'), h.scheme ?? '', ['HTTP', 'HTTPS']));
        for (const header of list(h.httpHeaders)) errs.push(...invalidEach(p.child('httpHeaders'), text(record(header).name), httpHeaderName(text(record(header).name))));
        break;
      case 'tcpSocket':
        errs.push(...validatePortNumOrName(h.port, p.child('port')));
        break;
      case 'grpc':
        errs.push(...invalidEach(p.child('port'), h.port ?? 0, portNumber(h.port)));
        break;
      case 'sleep':
        if (ctx.gracePeriod !== undefined && (typeof h.seconds !== 'number' || h.seconds < 0 || h.seconds > ctx.gracePeriod)) {
          errs.push(invalid(p, h.seconds ?? 0, `must be non-negative and less than terminationGracePeriodSeconds (${ctx.gracePeriod})`));
        }
        break;
    }
  }
  if (count === 0) errs.push(required(path, 'must specify a handler type'));
  return errs;
}

type ProbeKind = 'livenessProbe' | 'readinessProbe' | 'startupProbe';

function validateProbe(kind: ProbeKind, raw: unknown, ctx: PodContext, path: Path): FieldError[] {
  if (!isSet(raw)) return [];
  const probe = record(raw);
  const errs = validateHandler(probe, ['exec', 'httpGet', 'tcpSocket', 'grpc'], ctx, path);
  for (const field of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    errs.push(...nonNegative(probe[field], path.child(field)));
  }
  const tgps = probe.terminationGracePeriodSeconds;
  if (typeof tgps === 'number' && tgps <= 0) errs.push(invalid(path.child('terminationGracePeriodSeconds'), tgps, 'must be greater than 0'));
  if (kind === 'readinessProbe' && isSet(tgps)) {
    errs.push(invalid(path.child('terminationGracePeriodSeconds'), tgps, 'must not be set for readinessProbes'));
  }
  if (kind !== 'readinessProbe' && probe.successThreshold !== 1) {
    errs.push(invalid(path.child('successThreshold'), probe.successThreshold ?? 0, 'must be 1'));
  }
  return errs;
}

function validateProbesAndLifecycle(c: Record<string, any>, ctx: PodContext, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (isSet(c.lifecycle)) {
    const lc = record(c.lifecycle);
    for (const hook of ['postStart', 'preStop'] as const) {
      if (isSet(lc[hook])) errs.push(...validateHandler(record(lc[hook]), ['exec', 'httpGet', 'tcpSocket', 'sleep'], ctx, path.child('lifecycle', hook)));
    }
  }
  for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) errs.push(...validateProbe(kind, c[kind], ctx, path.child(kind)));
  return errs;
}

function validateContainerCommon(c: Record<string, any>, ctx: PodContext, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const name = text(c.name);
  if (!name) errs.push(required(path.child('name')));
  else errs.push(...invalidEach(path.child('name'), name, dns1123Label(name)));
  if (!text(c.image)) errs.push(required(path.child('image')));
  errs.push(...validateEnum(c.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES, path.child('terminationMessagePolicy')));
  errs.push(...validatePorts(c.ports, path.child('ports')));
  errs.push(...validateEnv(c.env, path.child('env')));
  errs.push(...validateEnvFrom(c.envFrom, path.child('envFrom')));
  errs.push(...validateVolumeMounts(c.volumeMounts, ctx, c, path.child('volumeMounts')));
  errs.push(...validateEnum(c.imagePullPolicy, PULL_POLICIES, path.child('imagePullPolicy')));
  errs.push(...validateResourceRequirements(c.resources, path.child('resources')));
  errs.push(...validateSecurityContext(c.securityContext, path.child('securityContext')));
  return errs;
}

/** Host ports must not collide (protocol, host IP, port) within the given containers. */
function hostPortConflicts(containers: readonly Record<string, any>[], indices: readonly number[], path: Path): FieldError[] {
  const seen = new Set<string>();
  const errs: FieldError[] = [];
  containers.forEach((c, ci) => {
    list(c.ports).forEach((raw, pi) => {
      const port = record(raw);
      if (!port.hostPort) return;
      const key = `${text(port.protocol)}/${text(port.hostIP)}/${port.hostPort}`;
      if (seen.has(key)) errs.push(duplicate(path.index(indices[ci]!).child('ports').index(pi).child('hostPort'), key));
      seen.add(key);
    });
  });
  return errs;
}

/** `containers`: at least one, each valid, names unique, host ports distinct. */
export function validateContainers(containers: unknown, ctx: PodContext, path: Path): FieldError[] {
  const cs = list(containers).map(record);
  if (cs.length === 0) return [required(path)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  cs.forEach((c, i) => {
    const p = path.index(i);
    errs.push(...validateContainerCommon(c, ctx, p));
    if (names.has(text(c.name))) errs.push(duplicate(p.child('name'), text(c.name)));
    names.add(text(c.name));
    errs.push(...validateProbesAndLifecycle(c, ctx, p));
    if (isSet(c.restartPolicy)) errs.push(forbidden(p.child('restartPolicy'), 'may not be set for non-init containers'));
  });
  return errs.concat(hostPortConflicts(cs, cs.map((_, i) => i), path));
}

/** `initContainers`: names unique across init and regular containers; probes only for sidecars (restartPolicy Always). */
export function validateInitContainers(initContainers: unknown, containers: unknown, ctx: PodContext, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set(list(containers).map((c) => text(record(c).name)));
  list(initContainers).map(record).forEach((c, i) => {
    const p = path.index(i);
    errs.push(...validateContainerCommon(c, ctx, p));
    let sidecar = false;
    if (isSet(c.restartPolicy)) {
      if (c.restartPolicy === 'Always') sidecar = true;
      else errs.push(notSupported(p.child('restartPolicy'), c.restartPolicy, ['Always']));
    }
    const name = text(c.name);
    if (names.has(name)) errs.push(duplicate(p.child('name'), name));
    else if (name) names.add(name);
    errs.push(...hostPortConflicts([c], [i], path));
    if (sidecar) {
      errs.push(...validateProbesAndLifecycle(c, ctx, p));
    } else {
      for (const field of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
        if (isSet(c[field])) errs.push(forbidden(p.child(field), 'may not be set for init containers without restartPolicy=Always'));
      }
    }
  });
  return errs;
}
