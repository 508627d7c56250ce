/**
 * Summaries of a V8 .cpuprofile (as `node --cpu-prof` writes it) over a time window, so that a
 * profiled benchmark run can say where the server spent each phase. Profile times are CLOCK_MONOTONIC
 * microseconds, the clock of process.hrtime, so windows taken in another process on the same
 * machine line up.
 */
import { markdownTable } from './results.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

export interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Sampled time in the window that was not idle, in ms (GC included). */
  busyMs: number;
  gcMs: number;
  /** Functions by time spent in them (self) and under them (inclusive), most first, in ms. */
  self: [string, number][];
  inclusive: [string, number][];
}

const IDLE = '(idle)';
const GC = '(garbage collector)';
/** Frames every stack passes through; they say nothing about where time goes. */
const PLUMBING = new Set(['(root)', '(program)', 'processTicksAndRejections', 'runMicrotasks', 'emit', 'runInAsyncScope']);

/** `fn file:line` with the path cut to what follows dist/ or node_modules/. */
function frameName(f: CallFrame): string {
  const file = f.url.replace(/^.*?\/(dist|node_modules)\//, '$1/').replace(/^file:\/\//, '');
  return file ? `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}` : f.functionName;
}

/** Where the profiled process spent [fromUs, toUs) (CLOCK_MONOTONIC µs). */
export function summarizeProfile(profile: CpuProfile, fromUs: number, toUs: number): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  let gc = 0;
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i]!;
    // A sample stands for the time until the next one.
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    if (t < fromUs || t >= toUs) continue;
    const leaf = byId.get(profile.samples[i]!)!;
    const name = frameName(leaf.callFrame);
    if (name === IDLE) continue;
    busy += dt;
    if (name === GC) gc += dt;
    self.set(name, (self.get(name) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const frame = frameName(byId.get(id)!.callFrame);
      if (seen.has(frame) || PLUMBING.has(frame.split(' ')[0]!)) continue;
      seen.add(frame);
      inclusive.set(frame, (inclusive.get(frame) ?? 0) + dt);
    }
  }
  const ranked = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { busyMs: busy, gcMs: gc, self: ranked(self), inclusive: ranked(inclusive) };
}

/** A Markdown report: per window, busy and GC time and the `top` functions by self and inclusive time. */
export function renderProfileSummary(profile: CpuProfile, windows: { name: string; fromUs: number; toUs: number }[], top = 12): string {
  const parts: string[] = [];
  const pct = (ms: number, of: number) => (of > 0 ? `${((ms / of) * 100).toFixed(0)} %` : '');
  for (const w of windows) {
    const s = summarizeProfile(profile, w.fromUs, w.toUs);
    const wallMs = (w.toUs - w.fromUs) / 1000;
    const rows = (list: [string, number][]) => list.slice(0, top).map(([name, ms]) => [`\`${name}\``, `${ms.toFixed(0)} ms`, pct(ms, s.busyMs)]);
    parts.push(
      `## ${w.name}`,
      '',
      `${wallMs.toFixed(0)} ms wall, ${s.busyMs.toFixed(0)} ms on the CPU (${pct(s.busyMs, wallMs)} of one core), ${s.gcMs.toFixed(0)} ms of it in GC.`,
      '',
      markdownTable(['self time', 'ms', 'of busy'], rows(s.self)),
      '',
      markdownTable(['inclusive time', 'ms', 'of busy'], rows(s.inclusive)),
      '',
    );
  }
  return parts.join('\n');
}
