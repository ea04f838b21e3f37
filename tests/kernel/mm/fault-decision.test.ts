// The fault decision is one function (kernel/mm/fault-decision.ts): taken as a
// dry run through a looking FaultAccess (what the monitor's `pf break DECISION`
// does) it changes nothing and names the decision the kernel then takes, in
// every design, including the cases an earlier copy in the monitor got wrong
// (a file page past the end of the file, a stack that may not grow below
// mmap_min_addr, a COW write through a page table fork left shared).

import { afterEach, describe, expect, it } from "vitest";
import { checkFrames } from "../../../kernel/mm/check.ts";
import { MM_DESIGNS } from "../../../kernel/mm/designs.ts";
import { faultDecide, lookingAccess } from "../../../kernel/mm/fault-decision.ts";
import { handleMmFault } from "../../../kernel/mm/fault.ts";
import { exitMm, forkMm } from "../../../kernel/mm/memory.ts";
import type { Mm } from "../../../kernel/mm/mm.ts";
import {
  doMmap, MAP_ANONYMOUS, MAP_FIXED, MAP_GROWSDOWN, MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE,
} from "../../../kernel/mm/mmap.ts";
import { makeHarness, MemFile, type Harness } from "./helpers.ts";

const BASE = 0x1000_0000;
const FILE = 0x2000_0000;
const SHARED = 0x2100_0000;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;

describe.each(MM_DESIGNS)("mm=%s: the fault decision", (design) => {
  let h: Harness;
  afterEach(() => {
    expect(checkFrames(h.ctx)).toEqual([]);
  });

  it("predicts, without changing anything, what the kernel decides", () => {
    h = makeHarness(design);
    const look = lookingAccess((pa) => h.phys.read32(pa));
    const p = h.newMm();
    const file = new MemFile(h.ctx, new Uint8Array(6000).fill(7)); // two pages, the second one partial
    doMmap(p, null, BASE, 4 * 4096, PROT_READ | PROT_WRITE, ANON);
    doMmap(p, null, BASE + 0x10000, 4096, PROT_READ, ANON);
    doMmap(p, file, FILE, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED);
    doMmap(p, file, SHARED, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED);
    doMmap(p, null, 0x30000, 4096, PROT_READ | PROT_WRITE, ANON | MAP_GROWSDOWN);
    const seen: string[] = [];
    const fault = (mm: Mm, va: number, write: boolean, expected: string): void => {
      const before = JSON.stringify([h.ctx.counters.snapshot(), mm.vmas.map((v) => [v.vmStart, v.vmEnd, v.vmPgoff]), mm.totalVm]);
      const predicted = faultDecide(mm, va, write, false, look).decision;
      const after = JSON.stringify([h.ctx.counters.snapshot(), mm.vmas.map((v) => [v.vmStart, v.vmEnd, v.vmPgoff]), mm.totalVm]);
      expect(after).toBe(before);
      const taken = handleMmFault(mm, va, write, true).decision;
      expect(`${va.toString(16)} ${predicted}`).toBe(`${va.toString(16)} ${taken}`);
      seen.push(taken);
      expect(taken).toBe(expected);
    };
    fault(p, BASE, false, "zero-page");
    fault(p, BASE, true, "demand-zero");
    fault(p, BASE, true, "spurious");
    fault(p, BASE + 4096, true, "demand-zero");
    fault(p, BASE + 0x10000, true, "sigsegv"); // read-only area
    fault(p, 0x5000_0000, false, "sigsegv"); // no area
    fault(p, FILE, false, "file-read");
    fault(p, FILE + 4096, true, "cow-copy");
    fault(p, FILE + 2 * 4096, false, "sigbus"); // past the end of the file
    fault(p, SHARED, true, "file-map"); // in the page cache since the private read
    fault(p, 0x2f000, true, "stack-growth");
    fault(p, 0x8000, true, "sigsegv"); // below mmap_min_addr: the stack may not grow there
    const c = forkMm(p, false) as Mm;
    fault(c, BASE + 4096, true, "cow-copy");
    fault(p, BASE + 4096, true, "cow-reuse");
    fault(c, FILE, true, "cow-copy");
    exitMm(c);
    exitMm(p);
    expect(seen.length).toBe(15);
  });
});
