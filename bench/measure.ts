// Measures one benchmark case under one memory-manager design: two guest runs
// (measured and baseline, see suite.ts) and their difference per operation.

import { runGuest, type GuestRun } from "../system/guest-run.ts";
import { builtinInitrd } from "./initrd.ts";
import { guestPath, type BenchCase } from "./suite.ts";
import { normalizeOutput, parseResultLines, type ResultLine } from "./result-line.ts";
import type { MmDesignName } from "../kernel/mm/designs.ts";
import { CPU_HZ } from "../emulator/machine/clock.ts";

/** One case under one design. Per-op figures are (measured - baseline) / (ops difference). */
export interface DesignResult {
  design: MmDesignName;
  /** Operations of the measured and the baseline run (as the program reported them). */
  ops: number;
  baseOps: number;
  /** Guest cycles per operation (machine cycle counter). */
  cyclesPerOp: number;
  /** The program's own figure for the measured run, converted to cycles (includes the cold first ops). */
  programCyclesPerOp: number;
  /**
   * Host wall microseconds per operation spent emulating it: the per-op guest
   * cycles at the emulator's average speed over the measured run (a difference
   * of two wall times would be mostly noise for short runs).
   */
  hostUsPerOp: number;
  /** Host wall milliseconds of the measured and the baseline run (boot excluded). */
  wallMs: number;
  baseWallMs: number;
  /** Memory-manager counters per operation (MmCounters.snapshot keys). */
  counters: Record<string, number>;
  /** Guest cycles per operation spent in each profiled kernel function (inclusive), and calls per op. */
  prof: Record<string, { calls: number; cycles: number }>;
  /** The measured run's result line and its design-independent form. */
  line: string;
  normalized: string;
}

export class MeasureError extends Error {}

function resultOf(c: BenchCase, run: GuestRun): ResultLine {
  const what = `${c.id} under mm=${run.design} (${run.argv.join(" ")})`;
  const { results, errors } = parseResultLines(run.output);
  if (errors.length) throw new MeasureError(`${what}: ${errors[0].line}`);
  if (run.status !== 0) {
    const log = run.kernelLog.filter((l) => /panic|BUG|bad/i.test(l));
    throw new MeasureError(`${what}: exited with status ${run.status}; output:\n${[run.output.trim(), ...log].join("\n")}`);
  }
  if (results.length !== 1) throw new MeasureError(`${what}: expected one result line, got ${results.length}; output:\n${run.output.trim()}`);
  return results[0];
}

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

/** Runs the case's measured and baseline runs under design. Throws MeasureError when either fails. */
export function measureCase(c: BenchCase, design: MmDesignName): DesignResult {
  const path = guestPath(c.program);
  const big = runGuest(design, [path, ...c.args.run], { initrd: builtinInitrd(), memorySize: c.memorySize });
  const r = resultOf(c, big);
  const small = runGuest(design, [path, ...c.args.base], { initrd: builtinInitrd(), memorySize: c.memorySize });
  const b = resultOf(c, small);
  const dOps = r.ops - b.ops;
  if (dOps <= 0) throw new MeasureError(`${c.id} under mm=${design}: the baseline did ${b.ops} ops, the measured run ${r.ops}`);
  const counters: Record<string, number> = {};
  for (const k of Object.keys(big.counters)) counters[k] = round((big.counters[k] - (small.counters[k] ?? 0)) / dOps);
  const prof: Record<string, { calls: number; cycles: number }> = {};
  for (const [name, [calls, cycles]] of Object.entries(big.prof)) {
    const [bc, bcy] = small.prof[name] ?? [0, 0];
    prof[name] = { calls: round((calls - bc) / dOps), cycles: round((cycles - bcy) / dOps, 1) };
  }
  const cyclesPerOp = (big.cycles - small.cycles) / dOps;
  return {
    design,
    ops: r.ops,
    baseOps: b.ops,
    cyclesPerOp: round(cyclesPerOp, 1),
    programCyclesPerOp: round((r.ns * CPU_HZ) / 1e9 / r.ops, 1),
    hostUsPerOp: round((cyclesPerOp * big.wallMs * 1000) / big.cycles, 2),
    wallMs: round(big.wallMs, 1),
    baseWallMs: round(small.wallMs, 1),
    counters,
    prof,
    line: r.line,
    normalized: normalizeOutput(r.line),
  };
}
