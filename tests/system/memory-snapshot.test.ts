// The page-table picture's marks from the web worker's memory snapshots
// (web/worker/memory-snapshot.ts) on a real guest in Node, stopped just
// after a fork: under sharedpt the tables marked shared are exactly those
// the parent's and the child's page directories both point to, and when the kernel skips the
// TLB flush fork owes the parent (a bug injected here, as in
// tests/monitor/kernel.test.ts) the stale entries marked are exactly the
// monitor's `info tlb` STALE lines.

import { describe, expect, it } from "vitest";
import { GuestSession } from "../support/guest.ts";
import { Monitor } from "../../monitor/monitor.ts";
import { MemorySnapshots } from "../../web/worker/memory-snapshot.ts";
import type { Guest } from "../../web/worker/guest.ts";

/** Boots, starts /tests/fork_cow and stops right after its first fork's copy; skipFlush leaves the parent's TLB stale. */
function stoppedAfterFork(design: string, skipFlush: boolean) {
  const s = new GuestSession({ cmdline: `quiet mm=${design}` });
  const mon = new Monitor(s.sys);
  const ctx = s.kernel.mmctx;
  let childPgd = 0;
  ctx.onCopyMm = (_p, c, done) => {
    if (!done) return;
    childPgd = c.pgd;
    ctx.onCopyMm = null;
    mon.debugger.stopSoon({ kind: "request" });
  };
  if (skipFlush) {
    const orig = ctx.flushTlbMm.bind(ctx);
    ctx.flushTlbMm = (mm) => {
      if ((ctx.prof.entries.get("forkMm")?.calls ?? 0) === ctx.counters.forks) orig(mm); // not inside a fork
    };
  }
  s.sys.machine.sendInput(new TextEncoder().encode("/tests/fork_cow\n"));
  expect(mon.debugger.advance(200_000_000)).toBe("stopped");
  const guest = { machine: s.sys.machine, kernel: s.kernel, monitor: mon } as unknown as Guest;
  const pid = s.kernel.current.pid;
  const memory = new MemorySnapshots();
  memory.select(guest, "pt", pid, true);
  const childPdes = Array.from({ length: 768 }, (_, i) => s.sys.machine.mem.read32(childPgd + i * 4) >>> 0);
  return { as: memory.snapshot()!.snap.as!, mon, childPdes };
}

const indices = (a: Uint8Array) => [...a].flatMap((v, i) => (v ? [i] : []));

describe("the page-table picture's marks", () => {
  it("marks the tables a sharedpt fork shares", () => {
    const { as, childPdes } = stoppedAfterFork("sharedpt", false);
    const both = childPdes.flatMap((c, i) => (c & 1 && c >>> 12 === as.pdes[i] >>> 12 ? [i] : []));
    expect(both.length).toBeGreaterThan(0);
    expect(indices(as.sharedTables)).toEqual(both);
    expect([...as.staleTlb]).toEqual([]);
  });

  it("marks no table shared under vma, and the stale TLB entries info tlb reports", () => {
    const { as, mon } = stoppedAfterFork("vma", true);
    expect(indices(as.sharedTables)).toEqual([]);
    const stale = mon
      .execute("info tlb")
      .split("\n")
      .filter((l) => l.includes("STALE"))
      .map((l) => parseInt(l.slice(0, 8), 16))
      .filter((va) => va < 0xc0000000);
    expect(stale.length).toBeGreaterThan(0);
    expect([...as.staleTlb]).toEqual(stale);
  });
});
