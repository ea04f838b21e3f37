// The memory manager's counters have the shape each design promises, on real
// guest benchmark runs: what one fork (copyMm) visits and copies.

import { describe, expect, it } from "vitest";
import { runGuest } from "../../system/guest-run.ts";
import { builtinInitrd } from "../../bench/initrd.ts";
import type { VmalabSystem } from "../../system/system.ts";
import type { MmDesign, MmDesignName } from "../../kernel/mm/designs.ts";
import type { Mm } from "../../kernel/mm/mm.ts";
import type { VmArea } from "../../kernel/mm/vma.ts";
import { vmaNeedsCopy } from "../../kernel/mm/memory.ts";
import { USER_PTRS_PER_PGD } from "../../kernel/mm/config.ts";

interface ForkRecord {
  /** Counter deltas of the copyMm call. */
  delta: Record<string, number>;
  /** The parent's areas at the fork. */
  vmas: VmArea[];
  /** Present PTEs in the parent, per area (read without charging cycles). */
  parentPtes: number[];
  /** Present PTEs in the child right after the copy, per parent area. */
  childPtes: number[];
}

/** Present PTEs of mm in [start, end), read straight from guest RAM. */
function presentPtes(sys: VmalabSystem, mm: Mm, start: number, end: number): number {
  const mem = sys.machine.mem;
  let n = 0;
  for (let va = start; va < end; va += 4096) {
    const pde = mem.read32(mm.pgd + (va >>> 22) * 4);
    if (!(pde & 1)) continue;
    if (mem.read32((pde & ~0xfff) + ((va >>> 12) & 0x3ff) * 4) & 1) n++;
  }
  return n;
}

/** Runs argv under design, recording every fork's copyMm. */
function recordForks(design: MmDesignName, argv: string[], onAfterFork?: (sys: VmalabSystem) => void) {
  const forks: ForkRecord[] = [];
  const run = runGuest(design, argv, {
    initrd: builtinInitrd(),
    onBoot: (sys) => {
      const ctx = sys.kernel.mmctx;
      const inner = ctx.design;
      const wrapped: MmDesign = {
        name: inner.name,
        copyProfName: inner.copyProfName,
        teardown: (mm) => inner.teardown(mm),
        copyMm(src, dst) {
          const vmas = [...src.vmas];
          const parentPtes = vmas.map((v) => presentPtes(sys, src, v.vmStart, v.vmEnd));
          const before = ctx.counters.snapshot();
          const err = inner.copyMm(src, dst);
          const delta = ctx.counters.diff(before);
          const childPtes = vmas.map((v) => presentPtes(sys, dst, v.vmStart, v.vmEnd));
          forks.push({ delta, vmas, parentPtes, childPtes });
          onAfterFork?.(sys);
          return err;
        },
      };
      ctx.design = wrapped;
    },
  });
  expect(run.status, run.output).toBe(0);
  return { run, forks };
}

/** PDE slots an area spans. */
const pdeSlots = (v: VmArea): number => ((v.vmEnd - 1) >>> 22) - (v.vmStart >>> 22) + 1;

describe("counters per fork", () => {
  it("classic visits every user PDE slot (768) on each fork, whatever the areas", () => {
    const { forks } = recordForks("classic", ["/bench/fork_vmas", "-n", "2", "4", "64"]);
    expect(forks.length).toBe(4);
    for (const f of forks) expect(f.delta.pdeVisits).toBe(USER_PTRS_PER_PGD);
    expect(USER_PTRS_PER_PGD).toBe(768);
    // Every PTE of every present table: a multiple of 1024.
    for (const f of forks) expect(f.delta.pteVisits % 1024).toBe(0);
  }, 60_000);

  it("vma visits one PDE per area slot and scales with the number of areas", () => {
    const { forks } = recordForks("vma", ["/bench/fork_vmas", "-n", "2", "4", "64"]);
    expect(forks.length).toBe(4);
    for (const f of forks) expect(f.delta.pdeVisits).toBe(f.vmas.reduce((s, v) => s + pdeSlots(v), 0));
    const [a, , b] = forks;
    expect(b.vmas.length - a.vmas.length).toBe(60);
    expect(b.delta.pdeVisits - a.delta.pdeVisits).toBe(60);
    expect(b.delta.pteVisits - a.delta.pteVisits).toBe(60);
    expect(a.delta.pdeVisits).toBeLessThan(USER_PTRS_PER_PGD / 10);
  }, 60_000);

  it("lazy copies no PTE of file-backed areas without anonymous pages (the program text)", () => {
    const { forks } = recordForks("lazy", ["/bench/fork_exit", "-n", "2"]);
    expect(forks.length).toBe(2);
    for (const f of forks) {
      const skipped = f.vmas.map((v, i) => (vmaNeedsCopy(v) ? -1 : i)).filter((i) => i >= 0);
      const text = skipped.filter((i) => f.vmas[i].vmFile !== null);
      expect(text.length).toBeGreaterThan(0);
      // The parent has text mapped, the child gets none of it.
      expect(text.reduce((s, i) => s + f.parentPtes[i], 0)).toBeGreaterThan(0);
      for (const i of skipped) expect(f.childPtes[i]).toBe(0);
      // Exactly the PTEs of the areas that need copying were copied.
      const needed = f.vmas.reduce((s, v, i) => s + (vmaNeedsCopy(v) ? f.parentPtes[i] : 0), 0);
      expect(f.delta.ptesCopied).toBe(needed);
    }
    // The vma design copies the text PTEs too.
    const eager = recordForks("vma", ["/bench/fork_exit", "-n", "2"]).forks;
    const textPtes = forks[1].vmas.reduce((s, v, i) => s + (vmaNeedsCopy(v) ? 0 : forks[1].parentPtes[i]), 0);
    expect(eager[1].delta.ptesCopied).toBe(forks[1].delta.ptesCopied + textPtes);
  }, 60_000);

  it("sharedpt shares the tables on fork and copies no PTE until a write", () => {
    let watching = false;
    let since: Record<string, number> = {};
    const events: { write: boolean; ptesCopied: number; unshared: number }[] = [];
    const { forks } = recordForks("sharedpt", ["/bench/fork_exit", "-n", "2"], (sys) => {
      const ctx = sys.kernel.mmctx;
      since = ctx.counters.snapshot();
      watching = true;
      ctx.onFault = (r) => {
        if (!watching) return;
        const d = ctx.counters.diff(since);
        events.push({ write: r.write, ptesCopied: d.ptesCopied, unshared: d.tablesUnshared });
        if (r.write) watching = false;
      };
    });
    expect(forks.length).toBe(2);
    for (const f of forks) {
      expect(f.delta.ptesCopied).toBe(0);
      expect(f.delta.pagesCopied).toBe(0);
      expect(f.delta.tablesAllocated).toBe(0);
      expect(f.delta.tablesShared).toBeGreaterThan(0);
      // The child sees the parent's mappings through the shared tables.
      expect(f.childPtes).toEqual(f.parentPtes);
    }
    const firstWrite = events.findIndex((e) => e.write);
    expect(firstWrite).toBeGreaterThanOrEqual(0);
    for (const e of events.slice(0, firstWrite)) expect(e).toMatchObject({ ptesCopied: 0, unshared: 0 });
    expect(events[firstWrite].unshared).toBeGreaterThan(0);
    expect(events[firstWrite].ptesCopied).toBeGreaterThan(0);
  }, 60_000);
});
