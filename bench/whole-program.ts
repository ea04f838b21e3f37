// Whole-program workloads of `npm run bench:cpu`: busybox and the kernel's fork
// benchmark, several in one boot, on a vmalab PC (system/guest-run.ts) and under Debian's
// Linux kernel in v86 (bench/linux-v86.ts), by the same shell script on both: for each
// workload a start line, its argv as one command, and an end line with its exit status.
// Each is timed from its start line's newline to its end line's newline, so neither the
// boot nor the shell's own start is timed, and a workload runs after those before it in
// the same boot on both emulators alike.

import { runGuest } from "../system/guest-run.ts";
import { builtinInitrd } from "./initrd.ts";
import type { VmalabSystem } from "../system/system.ts";

export interface ProgramWorkload {
  name: string;
  description: string;
  argv: string[];
  /** A piece of the console output that shows the program did its work. */
  expect: RegExp;
}

export const PROGRAM_WORKLOADS: readonly ProgramWorkload[] = [
  {
    name: "sha256sum",
    description: "busybox sha256sum of 1 MiB from /dev/zero",
    argv: ["/bin/sh", "-c", "head -c 1048576 /dev/zero | sha256sum"],
    expect: /30e14955ebf1352266dc2ff8067e68104607e750abb9d3b36582b8af909fcb58/,
  },
  {
    name: "gzip",
    description: "busybox gzip of `seq 1 30000` (165 KiB of text)",
    argv: ["/bin/sh", "-c", "seq 1 30000 | gzip -c | wc -c"],
    expect: /^\s*\d+\s*$/m,
  },
  {
    name: "fork_exit",
    description: "the kernel's fork benchmark: /bench/fork_exit -n 2000",
    argv: ["/bench/fork_exit", "-n", "2000"],
    expect: /./,
  },
];

export interface ProgramRunResult {
  name: string;
  /** What it printed between its start and end lines. */
  output: string;
  /** Guest instructions from its start line to its end line. */
  instructions: number;
  /** Host wall seconds of that part of the run. */
  secs: number;
  /** Host CPU seconds of the process meanwhile: user + system of every thread, V8's compiler threads too. */
  cpuSecs: number;
  /** The share of the instructions that the block compiler's regions retired (0 without it). */
  compiledShare: number;
}

/** Where a run is, after one of its slices (bench:cpu --timeline). */
export interface ProgramRunSample {
  /** Host wall seconds since the program started. */
  secs: number;
  /** Guest instructions, and those compiled regions retired, since then. */
  instructions: number;
  compiled: number;
  /** Regions compiled since the machine started. */
  regions: number;
}

export const START_LINE = "@@vmalab-bench start ";
export const END_LINE = "@@vmalab-bench end ";

/** `s` as one word of a POSIX shell command. */
const shellWord = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The lines of the shell script that run workloads `names` in order, each between its start and end line; throws on an unknown name. */
export function workloadScript(names: readonly string[]): string {
  return names
    .map((n) => {
      const w = PROGRAM_WORKLOADS.find((p) => p.name === n);
      if (!w) throw new Error(`unknown whole-program workload '${n}'`);
      return `echo '${START_LINE}${n}'\n${w.argv.map(shellWord).join(" ")}\necho "${END_LINE}${n} $?"\n`;
    })
    .join("");
}

interface Mark {
  secs: number;
  cpu: NodeJS.CpuUsage;
  instructions: number;
  compiled: number;
  /** Where the workload's output starts in the console output. */
  at: number;
}

/**
 * Boots a vmalab PC (mm=vma) and runs workloads `names` in order in that boot, by
 * workloadScript as the script of init's `sh -c`, calling `onSample` after each slice
 * while workload `sampled` runs. Returns each one's run; throws on an unknown name, or
 * when one exits with a nonzero status or prints the wrong thing.
 */
export function runProgramWorkloads(names: readonly string[], sampled?: string, onSample?: (s: ProgramRunSample) => void): ProgramRunResult[] {
  const script = workloadScript(names);
  const runs: ProgramRunResult[] = [];
  let output = "";
  let lineStart = 0;
  let start: Mark | null = null;
  let failed = "";
  const mark = (s: VmalabSystem): Mark => ({
    secs: performance.now() / 1000,
    cpu: process.cpuUsage(),
    instructions: s.machine.instructions,
    compiled: s.machine.cpu.icache.compiledRetired,
    at: output.length,
  });
  const r = runGuest("vma", ["/bin/sh", "-c", script], {
    initrd: builtinInitrd(),
    onConsoleOutput: (b, s) => {
      output += String.fromCharCode(b);
      if (b !== 10) return;
      const line = output.slice(lineStart).trimEnd();
      const end = lineStart;
      lineStart = output.length;
      if (line.startsWith(START_LINE)) start = mark(s);
      if (!line.startsWith(END_LINE)) return;
      const [name, status] = line.slice(END_LINE.length).split(" ");
      const stop = mark(s);
      const w = PROGRAM_WORKLOADS.find((p) => p.name === name)!;
      const from = start!;
      const out = output.slice(from.at, end);
      if (status !== "0" || !w.expect.test(out)) failed ||= `${name}: status ${status}, output ${JSON.stringify(out.slice(-400))}`;
      const instructions = stop.instructions - from.instructions;
      runs.push({
        name,
        output: out,
        instructions,
        secs: stop.secs - from.secs,
        cpuSecs: (stop.cpu.user - from.cpu.user + stop.cpu.system - from.cpu.system) / 1e6,
        compiledShare: (stop.compiled - from.compiled) / instructions,
      });
      start = null;
    },
    onSlice: (s) => {
      if (start === null || onSample === undefined || runs.length !== names.indexOf(sampled!)) return;
      const m = s.machine;
      onSample({ secs: performance.now() / 1000 - start.secs, instructions: m.instructions - start.instructions, compiled: m.cpu.icache.compiledRetired - start.compiled, regions: m.cpu.icache.compiledRegions });
    },
  });
  if (failed) throw new Error(failed);
  if (r.status !== 0 || runs.length !== names.length) throw new Error(`${names.join(",")}: status ${r.status}, output ${JSON.stringify(r.output.slice(-400))}`);
  return runs;
}
