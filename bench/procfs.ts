/**
 * Resource use of processes from Linux /proc: resident memory and CPU time, sampled by the
 * benchmark around and during its phases.
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on every Linux ABI Node runs on). */
const USER_HZ = 100;

/** VmRSS of `pid` in bytes; throws if the process is gone. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!m) throw new Error(`/proc/${pid}/status has no VmRSS`);
  return Number(m[1]) * 1024;
}

/** User + system CPU seconds `pid` has used so far; throws if the process is gone. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}

/** CLOCK_MONOTONIC now, in µs. */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** One reading of a watched process. */
export interface Reading {
  rss: number;
  cpu: number;
}

/** What happened to a watched process during one phase. */
export interface PhaseUsage {
  /** CPU seconds used during the phase per wall second (1.0 = one core busy). */
  cpuCores: number;
  /** Highest RSS sampled during the phase, in bytes. */
  peakRss: number;
  /** RSS at the end of the phase, in bytes. */
  endRss: number;
}

export interface PhaseReport {
  phase: string;
  /** Start and end on CLOCK_MONOTONIC in µs (process.hrtime; the clock of .cpuprofile files). */
  fromUs: number;
  toUs: number;
  wallMs: number;
  /** Operations the phase performed (0: not counted). */
  ops: number;
  usage: Record<string, PhaseUsage>;
}

/**
 * Samples named processes every `intervalMs` (RSS peaks) and splits their CPU time into phases:
 * each mark(phase) closes the phase that ran since the previous mark (or start()).
 * `self` names the benchmark process itself (CPU from process.cpuUsage()).
 */
export class ProcessMonitor {
  private timer?: NodeJS.Timeout;
  private readonly peak: Record<string, number> = {};
  private readonly phasePeak: Record<string, number> = {};
  private last: Record<string, Reading> = {};
  private lastAt = 0;
  readonly phases: PhaseReport[] = [];

  constructor(
    /** The watched processes by name. */
    readonly pids: Record<string, number>,
    private readonly self = 'bench client',
  ) {}

  private read(): Record<string, Reading> {
    const out: Record<string, Reading> = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      try {
        out[name] = { rss: rssBytes(pid), cpu: cpuSeconds(pid) };
      } catch (err) {
        throw new Error(`${name} (pid ${pid}) is gone: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const usage = process.cpuUsage();
    out[this.self] = { rss: process.memoryUsage.rss(), cpu: (usage.user + usage.system) / 1e6 };
    return out;
  }

  private sample(): Record<string, Reading> {
    const now = this.read();
    for (const [name, r] of Object.entries(now)) {
      this.peak[name] = Math.max(this.peak[name] ?? 0, r.rss);
      this.phasePeak[name] = Math.max(this.phasePeak[name] ?? 0, r.rss);
    }
    return now;
  }

  start(intervalMs: number): void {
    this.last = this.sample();
    this.lastAt = monotonicUs();
    this.timer = setInterval(() => {
      try {
        this.sample();
      } catch {
        // A process that exits mid-run shows up at the next mark(), which throws.
      }
    }, intervalMs);
    this.timer.unref();
  }

  /** Closes the current phase under `phase`, which performed `ops` operations, and returns its report. */
  mark(phase: string, ops = 0): PhaseReport {
    const now = this.sample();
    const at = monotonicUs();
    const wallMs = (at - this.lastAt) / 1000;
    const usage: Record<string, PhaseUsage> = {};
    for (const [name, r] of Object.entries(now)) {
      usage[name] = { cpuCores: (r.cpu - this.last[name]!.cpu) / (wallMs / 1000), peakRss: this.phasePeak[name]!, endRss: r.rss };
      this.phasePeak[name] = r.rss;
    }
    const report = { phase, fromUs: this.lastAt, toUs: at, wallMs, ops, usage };
    this.phases.push(report);
    this.last = now;
    this.lastAt = at;
    return report;
  }

  /** Highest RSS sampled so far for `name`, in bytes. */
  peakRss(name: string): number {
    return this.peak[name] ?? NaN;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
