// The fork trace (monitor/fork-trace.ts) of /tests/fork_cow's first fork
// under each design: its events are the kernel's own work (as many PDE and
// PTE visits, copies and shared or new tables as the kernel's counters
// count over the copy), they say what the designs are known to do (classic
// visits all 768 user PDEs, lazy copies fewer PTEs than vma, sharedpt shares
// tables and copies none), every write-protected PTE had its write bit, and
// observing the fork leaves the run's guest cycles unchanged.

import { describe, expect, it } from "vitest";
import { runGuest } from "../../system/guest-run.ts";
import { builtinInitrd } from "../../bench/initrd.ts";
import { ForkOp, ForkTracer, USER_PDES, type ForkTraceData } from "../../monitor/fork-trace.ts";
import { FaultTracer } from "../../monitor/fault-trace.ts";
import { Debugger } from "../../emulator/gdb/debugger.ts";
import { MM_DESIGNS, type MmDesignName } from "../../kernel/mm/design-names.ts";
import { FAULT_DECISIONS } from "../../kernel/mm/counters.ts";

const PROG = ["/tests/fork_cow"];

function traced(design: MmDesignName): { data: ForkTraceData; cycles: number } {
  let tracer: ForkTracer | null = null;
  const r = runGuest(design, PROG, {
    initrd: builtinInitrd(),
    onBoot: (sys) => {
      tracer = new ForkTracer(sys.kernel, sys.machine.mem, new FaultTracer(sys.machine, new Debugger(sys.machine), () => sys.kernel));
      tracer.arm();
    },
  });
  expect(r.status).toBe(0);
  const t = tracer as ForkTracer | null;
  t!.detach();
  return { data: t!.data()!, cycles: r.cycles };
}

const count = (d: ForkTraceData, op: ForkOp) => d.ops.reduce((n, o) => n + (o === op ? 1 : 0), 0);

describe("the fork trace", () => {
  const runs = Object.fromEntries(MM_DESIGNS.map((d) => [d, traced(d)])) as Record<MmDesignName, { data: ForkTraceData; cycles: number }>;

  it.each(MM_DESIGNS)("under %s records the kernel's own work", (design) => {
    const d = runs[design].data;
    expect(d.design).toBe(design);
    expect(d.comm).toBe("fork_cow");
    expect(count(d, ForkOp.PdeVisit)).toBe(d.counters.pdeVisits);
    expect(count(d, ForkOp.PteVisit)).toBe(d.counters.pteVisits);
    expect(count(d, ForkOp.PteCopy)).toBe(d.counters.ptesCopied);
    expect(count(d, ForkOp.TableShare)).toBe(d.counters.tablesShared);
    expect(count(d, ForkOp.TableAlloc)).toBe(d.counters.tablesAllocated);
    for (let i = 0; i < d.ops.length; i++) {
      expect(d.pdis[i]).toBeLessThan(USER_PDES);
      if (d.ops[i] === ForkOp.Wrprotect) {
        const t = d.tables.find((x) => x.pdi === d.pdis[i])!;
        expect(t.before[d.ptis[i]] & 3).toBe(3); // present and writable before
      }
    }
    expect(count(d, ForkOp.Wrprotect)).toBeGreaterThan(0);
    // the COW faults that follow, in the parent and the child
    const cow = FAULT_DECISIONS.indexOf("cow-copy");
    expect(d.faultDecisions.length).toBeGreaterThan(0);
    expect(d.childPid).toBeGreaterThan(d.parentPid);
    if (design !== "classic") expect([...d.faultDecisions].some((x, i) => x === cow && d.faultWho[i] === 1)).toBe(true);
  });

  it("tells the designs apart as they are known to differ", () => {
    const { classic, vma, lazy, sharedpt } = Object.fromEntries(MM_DESIGNS.map((x) => [x, runs[x].data]));
    // the figures, for the record: events per operation, then the faults that followed
    for (const d of MM_DESIGNS) {
      const t = runs[d].data;
      const ops = [ForkOp.PdeVisit, ForkOp.PteVisit, ForkOp.PteCopy, ForkOp.Wrprotect, ForkOp.TableShare, ForkOp.TableAlloc].map((o) => count(t, o));
      console.log(`fork of /tests/fork_cow, mm=${d}: PDE visits ${ops[0]}, PTE visits ${ops[1]}, copied ${ops[2]}, write-protected ${ops[3]}, tables shared ${ops[4]}, allocated ${ops[5]}; then ${t.faultAddrs.length} faults`);
    }
    expect(count(classic, ForkOp.PdeVisit)).toBe(USER_PDES);
    expect(count(vma, ForkOp.PdeVisit)).toBeLessThan(USER_PDES);
    expect(count(lazy, ForkOp.PteCopy)).toBeLessThan(count(vma, ForkOp.PteCopy));
    expect(count(sharedpt, ForkOp.TableShare)).toBeGreaterThan(0);
    expect(count(sharedpt, ForkOp.TableAlloc)).toBe(0);
    expect(count(sharedpt, ForkOp.PteCopy)).toBe(0);
  });

  it("leaves the run's guest cycles as they are without it", () => {
    const plain = runGuest("vma", PROG, { initrd: builtinInitrd() });
    expect(plain.cycles).toBe(runs.vma.cycles);
  });
});
