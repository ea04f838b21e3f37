// Test helper: the guest-visible state of a CPU at the end of a run, for tests that run
// the same program two ways (decoded-instruction cache on and off, fast and per-element
// REP strings, block compiler on and off) and expect equal states.
import type { CPU } from "../../emulator/cpu/cpu.ts";

export interface Outcome {
  regs: number[];
  eflags: number;
  eip: number;
  cycles: number;
  instructions: number;
  exception: number;
  cr2: number;
  /** Guest RAM from `lo` to `hi`. */
  mem: Buffer;
  /** The whole TLB, when asked for. */
  tlb?: Buffer;
}

/** The state of `cpu` after a run that ended with `exception` (-1: none), with RAM lo..hi (default all). */
export function outcome(cpu: CPU, exception: number, lo = 0, hi = cpu.ram.length, withTlb = false): Outcome {
  const o: Outcome = {
    regs: Array.from(cpu.regs),
    eflags: cpu.getEflags(),
    eip: cpu.eip,
    cycles: cpu.clock.cycles,
    instructions: cpu.instructions,
    exception,
    cr2: cpu.cr2,
    mem: Buffer.from(cpu.ram.slice(lo, hi)),
  };
  if (withTlb) o.tlb = Buffer.from(cpu.tlb.slice().buffer);
  return o;
}
