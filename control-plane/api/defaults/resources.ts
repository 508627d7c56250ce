/**
 * Resource lists (requests, limits, capacity, hard) as upstream's SetDefaults_ResourceList leaves
 * them: each quantity rounded up to a multiple of 1m and written in canonical form (`0.5` →
 * `500m`, `1024Mi` → `1Gi`), as `kubectl get -o yaml` shows them. Invalid quantities are kept for
 * validation to report.
 */
import { canonicalQuantity, isValidQuantity } from '../quantity.js';
import { isObject } from './fields.js';

export function defaultResourceList(list: unknown): void {
  if (!isObject(list)) return;
  for (const [name, value] of Object.entries(list)) {
    if (isValidQuantity(value)) list[name] = canonicalQuantity(value as string | number, true);
  }
}
