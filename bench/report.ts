/**
 * Collects what the benchmark sections measure: prints aligned tables as they come, keeps
 * the same figures for bench/results/latest.json, and gathers target checks for the summary.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export type Cell = string | number | boolean | null | undefined;

export interface TableSpec {
  title?: string;
  columns: string[];
  rows: Cell[][];
}

export interface TargetCheck {
  section: string;
  name: string;
  met: boolean;
  detail: string;
}

export class Report {
  private readonly startedAt = new Date();
  private readonly started = performance.now();
  private readonly loadAverageAtStart = os.loadavg();
  private readonly sections: Record<string, unknown> = {};
  private readonly targets: TargetCheck[] = [];
  private readonly notes: { section: string; text: string }[] = [];
  private readonly errors: { section: string; message: string }[] = [];

  constructor(private readonly print: (line: string) => void = (line) => console.log(line)) {}

  heading(text: string): void {
    this.print('');
    this.print(text);
    this.print('='.repeat(text.length));
  }

  line(text = ''): void {
    this.print(text);
  }

  table(spec: TableSpec): void {
    if (spec.title) this.print(`\n${spec.title}`);
    for (const line of formatTable(spec.columns, spec.rows)) this.print(line);
  }

  /** Stores a section's figures for the JSON file (replacing what the section stored before). */
  data(section: string, value: unknown): void {
    this.sections[section] = value;
  }

  note(section: string, text: string): void {
    this.notes.push({ section, text });
    this.print(`  note: ${text}`);
  }

  target(section: string, name: string, met: boolean, detail: string): void {
    this.targets.push({ section, name, met, detail });
  }

  error(section: string, err: unknown): void {
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    this.errors.push({ section, message });
    this.print(`\nERROR in ${section}: ${message}`);
  }

  get failed(): boolean {
    return this.errors.length > 0;
  }

  /** Prints one line per target: TARGET MET or TARGET MISSED. */
  printTargets(): void {
    this.heading('Targets');
    if (this.targets.length === 0) this.print('(none checked)');
    for (const t of this.targets) this.print(`${t.met ? 'TARGET MET' : 'TARGET MISSED'}: ${t.name}: ${t.detail}`);
    for (const e of this.errors) this.print(`SECTION FAILED: ${e.section}: ${e.message.split('\n')[0]}`);
  }

  toJSON(): object {
    const cpus = os.cpus();
    return {
      startedAt: this.startedAt.toISOString(),
      durationMs: Math.round(performance.now() - this.started),
      machine: {
        node: process.version,
        platform: `${os.platform()} ${os.release()} ${os.arch()}`,
        cpus: cpus.length,
        cpuModel: cpus[0]?.model ?? 'unknown',
        totalMemoryMB: Math.round(os.totalmem() / 2 ** 20),
        loadAverageAtStart: this.loadAverageAtStart,
        loadAverageAtEnd: os.loadavg(),
      },
      sections: this.sections,
      targets: this.targets,
      notes: this.notes,
      errors: this.errors,
    };
  }

  write(file: string): void {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(this, null, 2)}\n`);
  }
}

/** Columns padded to their widest cell; the first left-aligned, the others right-aligned. */
export function formatTable(columns: string[], rows: Cell[][]): string[] {
  const text = [columns, ...rows.map((row) => columns.map((_, i) => cellText(row[i])))];
  const widths = columns.map((_, i) => Math.max(...text.map((row) => row[i].length)));
  const render = (row: string[]): string =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [render(text[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...text.slice(1).map(render)];
}

function cellText(cell: Cell): string {
  if (cell === null || cell === undefined) return '-';
  if (typeof cell === 'boolean') return cell ? 'yes' : 'no';
  if (typeof cell === 'number') return formatNumber(cell);
  return cell;
}

/** Thousands separators for large numbers, one decimal for small ones. */
export function formatNumber(n: number, decimals?: number): string {
  if (!Number.isFinite(n)) return String(n);
  const digits = decimals ?? (Math.abs(n) >= 100 || Number.isInteger(n) ? 0 : Math.abs(n) >= 10 ? 1 : 2);
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export const MB = 2 ** 20;

export function megabytes(bytes: number): number {
  return Math.round((bytes / MB) * 10) / 10;
}

/** `a / b` rounded to two decimals; undefined when `b` is not a positive number. */
export function ratio(a: number, b: number): number | undefined {
  return b > 0 && Number.isFinite(a) ? Math.round((a / b) * 100) / 100 : undefined;
}
