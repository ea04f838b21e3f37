// Whole-program workloads of `npm run bench:cpu`: busybox and the kernel's fork
// benchmark run as init on a freshly booted vmalab PC (system/guest-run.ts), and the
// same argv under Debian's Linux kernel in v86 (bench/linux-v86.ts).

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
  output: string;
  /** Guest instructions from init's start to its exit. */
  instructions: number;
  /** Host wall seconds of that part of the run (the boot not included). */
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

/**
 * Runs workload `name` once in this process, calling `onSample` after each slice;
 * throws when the program fails or prints the wrong thing.
 */
export function runProgramWorkload(name: string, onSample?: (s: ProgramRunSample) => void): ProgramRunResult {
  const w = PROGRAM_WORKLOADS.find((p) => p.name === name);
  if (!w) throw new Error(`unknown whole-program workload '${name}'`);
  let before = 0;
  let compiledBefore = 0;
  let cpu0 = process.cpuUsage();
  let t0 = 0;
  let sys: VmalabSystem | null = null;
  const r = runGuest("vma", w.argv, {
    initrd: builtinInitrd(),
    onBoot: (s) => {
      sys = s;
      before = s.machine.instructions;
      compiledBefore = s.machine.cpu.icache.compiledRetired;
      cpu0 = process.cpuUsage();
      t0 = performance.now();
    },
    onSlice: (s) => {
      const ic = s.machine.cpu.icache;
      onSample?.({ secs: (performance.now() - t0) / 1000, instructions: s.machine.instructions - before, compiled: ic.compiledRetired - compiledBefore, regions: ic.compiledRegions });
    },
  });
  const cpu = process.cpuUsage(cpu0);
  if (r.status !== 0 || !w.expect.test(r.output) || !sys) throw new Error(`${name}: status ${r.status}, output ${JSON.stringify(r.output.slice(-400))}`);
  const m = (sys as VmalabSystem).machine;
  const instructions = m.instructions - before;
  return { output: r.output, instructions, secs: r.wallMs / 1000, cpuSecs: (cpu.user + cpu.system) / 1e6, compiledShare: (m.cpu.icache.compiledRetired - compiledBefore) / instructions };
}
