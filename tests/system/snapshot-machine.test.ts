// A whole emulated PC (emulator/ Machine: CPU with FPU, RAM, TLB, decoded-code
// cache, PIC, PIT with its pending clock event, UART, RTC, …) through the
// object-graph snapshot: a machine stopped mid-run is written, restored into a
// freshly built machine, and both run on; they must end with the same output,
// cycles, instructions and registers. The machine's closures (port handlers,
// IRQ lines, clock callbacks) are constructor wiring: the fresh machine's own
// ones are kept (readGraph's `into`).

import { describe, expect, it } from "vitest";
import { Machine, RunResult, DETERMINISTIC_EPOCH } from "../../emulator/machine/machine.ts";
import { kernelImage, KERNEL_RAM } from "../../bench/kernels/workloads.ts";
import { ClassRegistry } from "../../system/snapshot/registry.ts";
import { readGraph, writeGraph } from "../../system/snapshot/graph.ts";
import { dropAllRegions } from "../../emulator/cpu/icache.ts";
import { readFileSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { buildKernel, missingTools } from "../kernels/hello/build.ts";

const missing = missingTools();
const skipTicks = missing !== null && process.env.CI !== "true";

function makeMachine(image: Uint8Array) {
  const out: number[] = [];
  const m = new Machine({ memorySize: KERNEL_RAM, startTime: DETERMINISTIC_EPOCH, tripleFault: "stop", onConsoleOutput: (b) => out.push(b) });
  m.loadKernel(image);
  return { m, out };
}

/** Runs to the kernel's final HLT; returns the console text. */
function finish(m: Machine, out: number[]): string {
  let r: RunResult;
  do r = m.runSlice(5_000_000);
  while (r === RunResult.Budget);
  expect(r).toBe(RunResult.Halted);
  return String.fromCharCode(...out);
}

function state(m: Machine) {
  const c = m.cpu;
  return {
    cycles: m.cycles,
    instructions: m.instructions,
    regs: [...c.regs],
    eip: c.eip,
    eflags: c.getEflags(),
    seg: [...c.segSel],
    cr: [c.cr0, c.cr2, c.cr3, c.cr4],
    fpu: JSON.stringify(c.fpu, (_k, v) => (ArrayBuffer.isView(v) ? [...(v as Uint8Array)] : v)),
  };
}

describe("machine snapshot", () => {
  for (const [name, iterations, stopAt] of [["mem", 100_000, 2_000_000], ["call", 2000, 1_500_000], ["string", 20, 3_000_000]] as const) {
    it(`restores the ${name} kernel mid-run and continues with identical cycles`, () => {
      const image = kernelImage(name, iterations);
      const a = makeMachine(image);
      expect(a.m.runSlice(stopAt)).toBe(RunResult.Budget);
      const outBefore = a.out.length;

      const registry = new ClassRegistry();
      const w = writeGraph(a.m, registry, { autoRegister: true });
      const restored = makeMachine(image);
      restored.out.push(...a.out.slice(0, outBefore));
      const r = readGraph(w.bytes, registry, { into: restored.m });
      // With the block compiler on (VMALAB_JIT=1), compiled regions are host functions: a cache,
      // dropped here (they compile again when hot; cycles never depend on them).
      expect(r.unresolved.filter((p) => !/^root\.cpu\.icache\.regions\[\d+\]\.fn\[\d+\] \(function\)$/.test(p))).toEqual([]);
      dropAllRegions(restored.m.cpu.icache);
      expect(r.value).toBe(restored.m);
      expect(state(restored.m)).toEqual(state(a.m));

      const textA = finish(a.m, a.out);
      const textB = finish(restored.m, restored.out);
      expect(textB).toBe(textA);
      expect(textA).toMatch(new RegExp(`^${name} [0-9a-f]+`));
      expect(state(restored.m)).toEqual(state(a.m));
    });
  }

  it.skipIf(skipTicks)(`restores a kernel waiting for PIT interrupts (a pending clock event) (needs nasm and ld.lld${missing ? `: ${missing}` : ""})`, () => {
    const elf = buildKernel("ticks");
    const image = new Uint8Array(readFileSync(elf));
    rmSync(dirname(elf), { recursive: true, force: true });
    const a = makeMachine(image);
    expect(a.m.runSlice(300_000)).toBe(RunResult.Budget);
    expect(a.m.clock.nextEvent).not.toBe(Infinity);
    const registry = new ClassRegistry();
    const restored = makeMachine(image);
    const r = readGraph(writeGraph(a.m, registry, { autoRegister: true }).bytes, registry, { into: restored.m });
    expect(r.unresolved).toEqual([]);
    expect(restored.m.clock.nextEvent).toBe(a.m.clock.nextEvent);
    const run = (m: Machine, out: number[]) => {
      while (m.runSlice(1_000_000) === RunResult.Budget);
      return String.fromCharCode(...out);
    };
    expect(run(restored.m, restored.out)).toBe(run(a.m, a.out));
    expect(a.out.length).toBeGreaterThan(0);
    expect(restored.m.exitStatus).toBe(a.m.exitStatus);
    expect(state(restored.m)).toEqual(state(a.m));
  });
});
