/**
 * The parts of a name inside the cluster zone, read right to left as CoreDNS's kubernetes plugin
 * reads them (the DNS spec's name forms):
 *
 *   <service>.<namespace>.svc                  a Service
 *   <endpoint>.<service>.<namespace>.svc       one endpoint of a Service, by hostname
 *   _<port>._<proto>.<service>.<namespace>.svc a named port (SRV); the underscores are optional
 *   <a-b-c-d>.<namespace>.pod                  a pod by IP
 *
 * Shorter names (`svc`, `<namespace>.svc`) are parsed with the missing parts left out; they exist
 * but hold no records.
 */

export interface RecordRequest {
  kind?: 'svc' | 'pod';
  namespace?: string;
  /** The Service name, or for pods the dashed IP. */
  service?: string;
  endpoint?: string;
  /** Port name and protocol of an SRV-style name, without underscores. */
  port?: string;
  protocol?: string;
}

const stripUnderscore = (label: string) => (label.startsWith('_') ? label.slice(1) : label);

/**
 * Parses `labels`: the labels left of the zone, lower case, leftmost first. Undefined when the
 * name cannot exist in the zone (not under svc or pod, or too many labels): NXDOMAIN.
 */
export function parseRecordRequest(labels: string[]): RecordRequest | undefined {
  const segs = [...labels].reverse();
  const r: RecordRequest = {};
  if (segs.length === 0) return r;
  if (segs[0] !== 'svc' && segs[0] !== 'pod') return undefined;
  r.kind = segs[0];
  if (segs.length > 1) r.namespace = segs[1];
  if (segs.length > 2) r.service = segs[2];
  if (segs.length === 4) r.endpoint = segs[3];
  if (segs.length === 5) {
    r.protocol = stripUnderscore(segs[3]!);
    r.port = stripUnderscore(segs[4]!);
  }
  if (segs.length > 5) return undefined;
  return r;
}
