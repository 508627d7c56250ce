/**
 * bench/RESULTS.md: one `## <title>` section per benchmark. A run replaces its own section (from
 * its heading to the next `## ` heading) and leaves every other section, hand-written ones
 * included, as it was.
 */
import os from 'node:os';

const HEADER = `# Benchmark results

Written by \`npm run bench\` (bench/run.ts). Each section names the command that produced it, the
machine and the date. Numbers are from one run; compare ratios within a section rather than
absolute numbers across machines.
`;

/** Markdown table; cells are used as given (escape pipes yourself). */
export function markdownTable(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** `doc` with the section titled `title` replaced by `body` (or appended); `body` starts after the heading. */
export function upsertSection(doc: string, title: string, body: string): string {
  const base = doc.trim() === '' ? HEADER : doc;
  const heading = `## ${title}`;
  const section = `${heading}\n\n${body.trim()}\n`;
  const lines = base.split('\n');
  const start = lines.findIndex((l) => l.trimEnd() === heading);
  if (start < 0) return `${base.trimEnd()}\n\n${section}`;
  const rel = lines.slice(start + 1).findIndex((l) => l.startsWith('## '));
  const before = lines.slice(0, start).join('\n').trimEnd();
  const after = rel < 0 ? '' : lines.slice(start + 1 + rel).join('\n');
  return `${before}\n\n${section}${after ? `\n${after}` : ''}`;
}

/** One line describing the machine: CPUs, memory, node version, kernel. */
export function machineLine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? 'unknown CPU';
  return `${os.availableParallelism()} CPUs (nproc; ${model}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory, node ${process.version}, ${os.type()} ${os.release()}`;
}

/** What a results section says about its run: the command, the machine, the date, the load. */
export interface RunMeta {
  command: string;
  machine: string;
  date: string;
  load: string;
}

/** The lines that open a results section (`machineExtra` is appended to the machine line). */
export function runHeader(meta: RunMeta, machineExtra = ''): string[] {
  return [`Command: \`${meta.command}\`  `, `Machine: ${meta.machine}${machineExtra}  `, `Date: ${meta.date}  `, `Load average (1 min): ${meta.load}`];
}

/** Milliseconds for a table cell: 3 significant figures, '—' for NaN. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return `${value >= 100 ? value.toFixed(0) : value.toPrecision(3)} ms`;
}

/** A per-second rate for a table cell: whole numbers from 10 up, 2 significant figures below. */
export function perSecond(value: number, unit = ''): string {
  if (!Number.isFinite(value)) return '—';
  return `${value >= 10 ? value.toFixed(0) : value.toPrecision(2)}${unit ? ` ${unit}` : ''}/s`;
}

/** Bytes as MiB for a table cell. */
export function mib(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : '—';
}

/** A ratio for a table cell, e.g. `4.2×`. */
export function ratio(a: number, b: number): string {
  return Number.isFinite(a / b) && b > 0 ? `${(a / b).toFixed(1)}×` : '—';
}
