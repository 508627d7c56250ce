/**
 * Pod and PodSpec defaults exactly as upstream's SetDefaults_* functions (and the generated
 * defaulters that walk containers, probes and volumes) set them, plus what the Priority admission
 * plugin adds to pods without a priority class. PodSpec defaults apply inside every workload's
 * template; the pod-only ones (requests from limits, enableServiceLinks, host-network ports,
 * priority) apply to Pods alone, as upstream.
 */
import { child, eachObject, existing, isObject, setDefault } from './fields.js';
import { defaultResourceList } from './resources.js';
import { defaultPVCSpec } from './storage.js';

/** The tag (or digest) of an image reference, as upstream's ParseImageName reads it. */
function imageTag(image: string): { tag: string; digest: string } {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : '';
  const name = at >= 0 ? image.slice(0, at) : image;
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  return { tag: colon >= 0 ? lastSegment.slice(colon + 1) : '', digest };
}

/** `Always` for `:latest` or an untagged, undigested image; `IfNotPresent` otherwise. */
export function defaultPullPolicy(image: unknown): 'Always' | 'IfNotPresent' {
  if (typeof image !== 'string' || image.trim() === '') return 'IfNotPresent';
  const { tag, digest } = imageTag(image);
  return tag === 'latest' || (tag === '' && digest === '') ? 'Always' : 'IfNotPresent';
}

function defaultHandler(handler: Record<string, any> | undefined): void {
  const http = existing(handler, 'httpGet');
  if (http) {
    setDefault(http, 'path', '/');
    setDefault(http, 'scheme', 'HTTP');
  }
}

function defaultProbe(probe: Record<string, any> | undefined): void {
  if (!probe) return;
  for (const [field, value] of [['timeoutSeconds', 1], ['periodSeconds', 10], ['successThreshold', 1], ['failureThreshold', 3]] as const) {
    if (!probe[field]) probe[field] = value;
  }
  defaultHandler(probe);
  const grpc = existing(probe, 'grpc');
  if (grpc) setDefault(grpc, 'service', '');
}

function defaultFieldRef(holder: Record<string, any> | undefined): void {
  const ref = existing(holder, 'fieldRef');
  if (ref) setDefault(ref, 'apiVersion', 'v1');
}

function defaultContainer(c: Record<string, any>): void {
  setDefault(c, 'imagePullPolicy', defaultPullPolicy(c.image));
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  eachObject(c, 'ports', (p) => setDefault(p, 'protocol', 'TCP'));
  eachObject(c, 'env', (e) => defaultFieldRef(existing(e, 'valueFrom')));
  const resources = child(c, 'resources');
  defaultResourceList(resources?.limits);
  defaultResourceList(resources?.requests);
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) defaultProbe(existing(c, probe));
  const lifecycle = existing(c, 'lifecycle');
  defaultHandler(existing(lifecycle, 'postStart'));
  defaultHandler(existing(lifecycle, 'preStop'));
}

const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap',
  'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos', 'csi',
  'ephemeral', 'image',
];

function defaultVolume(v: Record<string, any>): void {
  if (VOLUME_SOURCES.every((s) => v[s] === undefined || v[s] === null)) v.emptyDir = {};
  const hostPath = existing(v, 'hostPath');
  if (hostPath) setDefault(hostPath, 'type', '');
  for (const source of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    const s = existing(v, source);
    if (s) setDefault(s, 'defaultMode', 420);
  }
  eachObject(existing(v, 'downwardAPI'), 'items', defaultFieldRef);
  eachObject(existing(v, 'projected'), 'sources', (src) => {
    eachObject(existing(src, 'downwardAPI'), 'items', defaultFieldRef);
    const token = existing(src, 'serviceAccountToken');
    if (token) setDefault(token, 'expirationSeconds', 3600);
  });
  const template = existing(existing(v, 'ephemeral'), 'volumeClaimTemplate');
  const claimSpec = existing(template, 'spec');
  if (claimSpec) defaultPVCSpec(claimSpec);
  const image = existing(v, 'image');
  if (image) setDefault(image, 'pullPolicy', defaultPullPolicy(image.reference));
}

/** SetDefaults_PodSpec and everything nested in a PodSpec (containers, probes, volumes). */
export function defaultPodSpec(spec: Record<string, any>): void {
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'schedulerName', 'default-scheduler');
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) eachObject(spec, list, defaultContainer);
  eachObject(spec, 'volumes', defaultVolume);
  defaultResourceList(spec.overhead);
  const podResources = existing(spec, 'resources');
  defaultResourceList(podResources?.limits);
  defaultResourceList(podResources?.requests);
}

/** A PodTemplateSpec inside a workload: its spec gets PodSpec defaults. */
export function defaultPodTemplate(template: unknown): void {
  if (!isObject(template)) return;
  const spec = child(template, 'spec');
  if (spec) defaultPodSpec(spec);
}

/** Requests default to limits for every resource that has a limit but no request. */
function requestsFromLimits(c: Record<string, any>): void {
  const resources = existing(c, 'resources');
  const limits = existing(resources, 'limits');
  if (!resources || !limits) return;
  const requests = child(resources, 'requests');
  if (!requests) return;
  for (const [name, value] of Object.entries(limits)) setDefault(requests, name, value);
}

/** A Pod: PodSpec defaults plus upstream's pod-only defaults and the Priority admission defaults. */
export function defaultPod(pod: any): void {
  if (!isObject(pod)) return;
  const spec = child(pod, 'spec');
  if (!spec) return;
  defaultPodSpec(spec);
  eachObject(spec, 'containers', requestsFromLimits);
  eachObject(spec, 'initContainers', requestsFromLimits);
  setDefault(spec, 'enableServiceLinks', true);
  if (spec.hostNetwork === true) {
    for (const list of ['containers', 'initContainers']) {
      eachObject(spec, list, (c) => eachObject(c, 'ports', (p) => {
        if (!p.hostPort) p.hostPort = p.containerPort;
      }));
    }
  }
  // The Priority admission plugin: pods without a class get priority 0 and the default policy.
  if (!spec.priorityClassName) {
    setDefault(spec, 'priority', 0);
    setDefault(spec, 'preemptionPolicy', 'PreemptLowerPriority');
  }
}
