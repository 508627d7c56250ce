/**
 * Prometheus metrics of the API server in the text exposition format: request counts and latency
 * histograms by verb, resource and code (upstream's metric names), open watches, process memory.
 */
import type { OpenWatches } from './open-watches.js';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

function labelString(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
}

export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly durations = new Map<string, Histogram>();

  constructor(private readonly watches: OpenWatches) {}

  /** Records one finished request. */
  observeRequest(verb: string, resource: string, code: number, seconds: number): void {
    const reqKey = labelString({ verb, resource, code: String(code) });
    this.requests.set(reqKey, (this.requests.get(reqKey) ?? 0) + 1);
    const durKey = labelString({ verb, resource });
    let h = this.durations.get(durKey);
    if (!h) this.durations.set(durKey, (h = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) h.counts[i]!++;
    h.sum += seconds;
    h.count++;
  }

  /** The exposition text. */
  render(): string {
    const out: string[] = [];
    out.push('# HELP apiserver_request_total Counter of apiserver requests broken out by verb, resource and HTTP response code.');
    out.push('# TYPE apiserver_request_total counter');
    for (const [labels, n] of this.requests) out.push(`apiserver_request_total{${labels}} ${n}`);
    out.push('# HELP apiserver_request_duration_seconds Response latency distribution in seconds by verb and resource.');
    out.push('# TYPE apiserver_request_duration_seconds histogram');
    for (const [labels, h] of this.durations) {
      BUCKETS.forEach((b, i) => out.push(`apiserver_request_duration_seconds_bucket{${labels},le="${b}"} ${h.counts[i]}`));
      out.push(`apiserver_request_duration_seconds_bucket{${labels},le="+Inf"} ${h.count}`);
      out.push(`apiserver_request_duration_seconds_sum{${labels}} ${h.sum}`);
      out.push(`apiserver_request_duration_seconds_count{${labels}} ${h.count}`);
    }
    out.push('# HELP apiserver_longrunning_requests Number of open watch requests.');
    out.push('# TYPE apiserver_longrunning_requests gauge');
    out.push(`apiserver_longrunning_requests{verb="WATCH"} ${this.watches.count}`);
    const mem = process.memoryUsage();
    out.push('# HELP process_resident_memory_bytes Resident memory size in bytes.');
    out.push('# TYPE process_resident_memory_bytes gauge');
    out.push(`process_resident_memory_bytes ${mem.rss}`);
    out.push('# HELP nodejs_heap_used_bytes V8 heap in use in bytes.');
    out.push('# TYPE nodejs_heap_used_bytes gauge');
    out.push(`nodejs_heap_used_bytes ${mem.heapUsed}`);
    return out.join('\n') + '\n';
  }
}
