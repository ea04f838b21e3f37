// The monitor's memory data functions (monitor/memory-data.ts), the data the
// web page's memory pictures draw, against the monitor's own text for the
// same question: stopped at the first COW copy fault of /tests/fork_cow, every
// page of every process's address space has the PTE and a state consistent
// with `walk PID VADDR`, every frame's owner agrees with `frame PFN`'s
// flags, and the walk text is formatWalk of walkData. Also FaultTracer.removeSink.

import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { VmalabSystem } from "../../system/system.ts";
import { Monitor } from "../../monitor/monitor.ts";
import {
  FRAME_OWNER_NAMES, PAGE_STATE_NAMES, PageState, addressSpaceData, frameOwners, pageData, taskWithMm, walkData,
} from "../../monitor/memory-data.ts";
import { formatWalk } from "../../monitor/kernel-commands.ts";
import type { FaultTraceEntry } from "../../monitor/fault-trace.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const hex = (n: number) => "0x" + (n >>> 0).toString(16);

function stoppedAtCow() {
  const sys = new VmalabSystem({
    builtinInitrd: readFileSync(join(ROOT, "userland/build/initramfs.cpio")), deterministic: true, memorySize: 32 << 20,
    cmdline: "init=/tests/fork_cow quiet", onInitExit: () => {},
  });
  const mon = new Monitor(sys);
  expect(mon.execute("pf break cow-copy")).toMatch(/^fault break/);
  expect(mon.debugger.advance(3_000_000_000)).toBe("stopped");
  return { sys, mon, k: sys.kernel, mem: sys.machine.mem };
}

describe("monitor memory data", () => {
  it("gives each page of each address space the PTE and state the walk shows", () => {
    const { mon, k, mem } = stoppedAtCow();
    const seen = new Set<number>();
    let pages = 0;
    for (const t of [...k.tasks.values()].filter((t) => t.mm)) {
      const d = addressSpaceData(k, mem, t);
      expect(d.areas.map((a) => `${a.start.toString(16).padStart(8, "0")}-${a.end.toString(16).padStart(8, "0")} ${a.perms}`))
        .toEqual(mon.execute(`vmas ${t.pid}`).split("\n").slice(0, -1).map((l) => l.slice(0, 22)));
      expect(d.pdes[768]).toBe(mem.read32(t.mm!.pgd + 768 * 4) >>> 0);
      for (const a of d.areas) {
        expect(a.pagesPerCell).toBe(1);
        for (let c = 0; c < a.cells; c++) {
          const va = a.start + c * 4096;
          const w = walkData(k, mem, t, va);
          const text = mon.execute(`walk ${t.pid} ${hex(va)}`);
          expect(formatWalk(w)).toBe(text);
          const pte = d.ptes[a.firstCell + c];
          expect(pte).toBe(w.pte ?? 0);
          expect(text).toContain(w.pte === null ? "PDE[" : `= ${pte.toString(16).padStart(8, "0")}`);
          const s = d.states[a.firstCell + c] as PageState;
          expect(PAGE_STATE_NAMES[s]).toBeDefined();
          if (!(pte & 1)) expect([PageState.None, PageState.Swapped]).toContain(s);
          else {
            pages++;
            const p = pageData(k, pte >>> 12);
            if (p.flagNames.includes("CACHE")) expect(s).toBe(PageState.File);
            else if (p.flagNames.includes("ANON") && p.mapcount > 1) expect(s).toBe(PageState.CowShared);
            else if (p.zeroPage) expect(s).toBe(PageState.ZeroPage);
            seen.add(s);
          }
        }
      }
    }
    expect(pages).toBeGreaterThan(10);
    // the stop is a COW fault: both processes still share the page
    expect(seen).toContain(PageState.CowShared);
    expect(seen).toContain(PageState.File);
    expect(taskWithMm(k, 99999)).toBeNull();
  });

  it("names every used frame's owner as the monitor's frame flags do", () => {
    const { mon, k } = stoppedAtCow();
    const owners = frameOwners(k);
    expect(owners.length).toBe(k.mmctx.frames.nframes);
    expect(frameOwners(k, owners)).toBe(owners); // reuses a long enough array
    const counts = new Map<string, number>();
    for (let pfn = 0; pfn < owners.length; pfn++) {
      const name = FRAME_OWNER_NAMES[owners[pfn]];
      counts.set(name, (counts.get(name) ?? 0) + 1);
      if (name === "free" && pfn % 97 !== 0) continue; // sample the free frames
      const line = mon.execute(`frame ${hex(pfn)}`).split("\n")[0];
      const flags = /flags (\S+)/.exec(line)![1];
      const expected = flags.includes("RESERVED") ? "reserved (kernel image, boot)"
        : line.endsWith("(free)") ? "free"
        : /PAGETABLE|PGD/.test(flags) ? "page table"
        : flags.includes("ANON") ? "anon"
        : flags.includes("CACHE") ? "file / page cache"
        : flags.includes("STORE") ? "tmpfs/ramfs data"
        : /pins [1-9]/.test(line) || flags.includes("KERNEL") ? "kernel" : "other";
      expect(name, line).toBe(expected);
    }
    for (const n of ["free", "reserved (kernel image, boot)", "kernel", "page table", "anon", "file / page cache"]) expect(counts.get(n), n).toBeGreaterThan(0);
    expect(counts.get("free")).toBe(k.mmctx.frames.freeCount);
  });

  it("stops calling a removed fault sink", () => {
    const { mon } = stoppedAtCow();
    const got: FaultTraceEntry[] = [];
    const sink = (e: FaultTraceEntry) => got.push(e);
    mon.faults.addSink(sink);
    mon.execute("pf break off");
    expect(mon.execute("pf step")).toMatch(/COW copy/);
    const n = got.length;
    expect(n).toBe(1);
    mon.faults.removeSink(sink);
    mon.debugger.cont();
    mon.debugger.advance(200_000_000);
    expect(got.length).toBe(n);
  });
});
