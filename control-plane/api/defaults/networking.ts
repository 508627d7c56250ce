/**
 * networking.k8s.io/v1 defaults: NetworkPolicy ports use TCP and policyTypes are derived (Ingress,
 * plus Egress when egress rules exist); IngressClass parameters are cluster-scoped unless said.
 * Ingress paths have no default pathType (it is required).
 */
import { child, eachObject, existing, isObject, setDefault } from './fields.js';

export function defaultNetworkPolicy(obj: any): void {
  if (!isObject(obj)) return;
  const spec = child(obj, 'spec');
  if (!spec) return;
  for (const direction of ['ingress', 'egress']) eachObject(spec, direction, (rule) => eachObject(rule, 'ports', (p) => setDefault(p, 'protocol', 'TCP')));
  if (!Array.isArray(spec.policyTypes) || spec.policyTypes.length === 0) {
    spec.policyTypes = Array.isArray(spec.egress) && spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  }
}

export function defaultIngressClass(obj: any): void {
  const params = existing(existing(obj, 'spec'), 'parameters');
  if (params) setDefault(params, 'scope', 'Cluster');
}
