/** Cell formatters shared by several printers, reimplementing upstream's printer helpers. */
import { selectorFromLabelSelector } from '../labels.js';
import { canonicalQuantity } from '../quantity.js';

/** Container names and images joined by ',' (the CONTAINERS and IMAGES wide cells). */
export function containerCells(containers: any[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name ?? '').join(','), list.map((c) => c.image ?? '').join(',')];
}

/** Upstream's metav1.FormatLabelSelector: the canonical selector, '<none>' when empty or missing, '<error>' when invalid. */
export function formatLabelSelector(sel: any): string {
  try {
    return selectorFromLabelSelector(sel ?? {}).toString() || '<none>';
  } catch {
    return '<error>';
  }
}

/** A quantity's canonical text as upstream's Quantity.String() ('0' when missing). */
export function quantityString(q: unknown): string {
  if (q === undefined || q === null || q === '') return '0';
  try {
    return canonicalQuantity(q as string | number);
  } catch {
    return String(q);
  }
}


/** Upstream's printBoolPtr: 'True', 'False' or '<unset>'. */
export function boolPtr(v: unknown): string {
  if (typeof v !== 'boolean') return '<unset>';
  return v ? 'True' : 'False';
}

/** Upstream's GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order, each once. */
export function accessModes(modes: string[] | undefined): string {
  const present = new Set(modes ?? []);
  const abbreviations: [string, string][] = [
    ['ReadWriteOnce', 'RWO'],
    ['ReadOnlyMany', 'ROX'],
    ['ReadWriteMany', 'RWX'],
    ['ReadWriteOncePod', 'RWOP'],
  ];
  return abbreviations
    .filter(([mode]) => present.has(mode))
    .map(([, short]) => short)
    .join(',');
}

/** The first `max` entries joined by ',' and ' + N more...' when there were more; '<unset>' when empty. */
export function listWithMore(items: string[], max = 3): string {
  const shown = items.slice(0, max).join(',');
  if (items.length > max) return `${shown} + ${items.length - max} more...`;
  return shown || '<unset>';
}

/** The sorted, de-duplicated IPs (else hostnames) of load-balancer ingress points, joined by ','. */
export function loadBalancerIngress(ingress: { ip?: string; hostname?: string }[] | undefined): string {
  const points = new Set<string>();
  for (const i of ingress ?? []) {
    if (i.ip) points.add(i.ip);
    else if (i.hostname) points.add(i.hostname);
  }
  return [...points].sort().join(',');
}

/** The value of a condition of `type` ('True', 'False', ...), or undefined when absent. */
export function conditionStatus(conditions: { type: string; status: string }[] | undefined, type: string): string | undefined {
  return conditions?.find((c) => c.type === type)?.status;
}
