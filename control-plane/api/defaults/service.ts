/**
 * Service defaults as upstream's SetDefaults_Service sets them, plus what upstream's Service
 * registry fills before validation: `clusterIPs` from `clusterIP`, and a single-stack IPv4 family
 * for non-ExternalName services (selector-less headless services require dual-stack, as
 * upstream, which on this single-stack cluster still yields IPv4 alone). The empty
 * `status.loadBalancer` appears as upstream's always-present struct does.
 */
import { child, eachObject, existing, isObject, setDefault } from './fields.js';

export function defaultService(obj: any): void {
  if (!isObject(obj)) return;
  const spec = child(obj, 'spec');
  if (!spec) return;
  setDefault(spec, 'sessionAffinity', 'None');
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const timeout = existing(existing(spec, 'sessionAffinityConfig'), 'clientIP')?.timeoutSeconds;
    if (timeout === undefined || timeout === null) spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  setDefault(spec, 'type', 'ClusterIP');
  eachObject(spec, 'ports', (p) => {
    setDefault(p, 'protocol', 'TCP');
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  });
  const type = spec.type;
  const externallyAccessible = type === 'LoadBalancer' || type === 'NodePort' || (type === 'ClusterIP' && Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0);
  if (externallyAccessible && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (type === 'ClusterIP' || type === 'NodePort' || type === 'LoadBalancer') setDefault(spec, 'internalTrafficPolicy', 'Cluster');
  if (type === 'LoadBalancer') setDefault(spec, 'allocateLoadBalancerNodePorts', true);
  if (type !== 'ExternalName') {
    if (spec.clusterIP && (!Array.isArray(spec.clusterIPs) || spec.clusterIPs.length === 0)) spec.clusterIPs = [spec.clusterIP];
    const headlessWithoutSelector = spec.clusterIP === 'None' && Object.keys(existing(spec, 'selector') ?? {}).length === 0;
    setDefault(spec, 'ipFamilyPolicy', headlessWithoutSelector ? 'RequireDualStack' : 'SingleStack');
    if (!Array.isArray(spec.ipFamilies) || spec.ipFamilies.length === 0) spec.ipFamilies = ['IPv4'];
  }
  const status = child(obj, 'status');
  if (status) setDefault(status, 'loadBalancer', {});
}
