// Samples a guest for the status bar: MIPS over the last interval (host
// time), guest time, cycles, fault rates per guest second by decision, free
// memory and live processes (the latter from the kernel when there is one).

import { CPU_HZ } from "../../emulator/machine/clock.ts";
import type { Guest } from "./guest.ts";
import type { Status } from "../protocol.ts";

export class StatsSampler {
  private lastWall = performance.now();
  private lastInstr: number;
  private lastCycles: number;
  private lastCompiled: number;
  private lastFaults: Record<string, number>;

  constructor(private readonly guest: Guest) {
    this.lastInstr = guest.machine.instructions;
    this.lastCycles = guest.machine.cycles;
    this.lastCompiled = guest.machine.cpu.icache.compiledRetired;
    this.lastFaults = { ...(guest.kernel?.mmctx?.counters?.faults ?? {}) };
  }

  /** A status since the previous call. `running`: the run loop is not paused. */
  sample(running: boolean, design: string): Status {
    const m = this.guest.machine;
    const now = performance.now();
    const dtWall = Math.max(1e-3, (now - this.lastWall) / 1000);
    const instr = m.instructions;
    const cycles = m.cycles;
    const dtGuest = (cycles - this.lastCycles) / CPU_HZ;
    const faults: Record<string, number> = this.guest.kernel?.mmctx.counters.faults ?? {};
    const faultsPerSecond: Record<string, number> = {};
    for (const [kind, n] of Object.entries(faults)) {
      const d = n - (this.lastFaults[kind] ?? 0);
      if (d > 0 && dtGuest > 0) faultsPerSecond[kind] = Math.round(d / dtGuest);
    }
    const mips = Math.max(0, instr - this.lastInstr) / dtWall / 1e6;
    const compiled = m.cpu.icache.compiledRetired;
    const share = instr > this.lastInstr ? Math.min(1, Math.max(0, compiled - this.lastCompiled) / (instr - this.lastInstr)) : null;
    this.lastCompiled = compiled;
    this.lastWall = now;
    this.lastInstr = instr;
    this.lastCycles = cycles;
    this.lastFaults = { ...faults };
    const k = this.guest.kernel;
    const freePages = k?.mmctx.frames.freeCount;
    return {
      running,
      mips,
      guestSeconds: cycles / CPU_HZ,
      cycles,
      faultsPerSecond,
      freeBytes: typeof freePages === "number" ? freePages * 4096 : null,
      processes: k ? k.tasks.size : null,
      design,
      guest: this.guest.kind,
      regions: m.cpu.useJit ? m.cpu.icache.compiledRegions : null,
      compiledShare: m.cpu.useJit ? share : null,
    };
  }
}
