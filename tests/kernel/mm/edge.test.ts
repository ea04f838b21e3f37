import { afterEach, describe, expect, it } from "vitest";
import { Errno } from "../../../kernel/errno.ts";
import { checkFrames } from "../../../kernel/mm/check.ts";
import { MM_DESIGNS } from "../../../kernel/mm/designs.ts";
import { selectDesign } from "../../../kernel/mm/designs.ts";
import { execMm, exitMm, forkMm } from "../../../kernel/mm/memory.ts";
import type { Mm } from "../../../kernel/mm/mm.ts";
import { AddressSpace, type FileBacking } from "../../../kernel/mm/filemap.ts";
import { doMmap, MAP_ANONYMOUS, MAP_FIXED, MAP_NORESERVE, MAP_PRIVATE, MAP_SHARED, PROT_EXEC, PROT_READ, PROT_WRITE } from "../../../kernel/mm/mmap.ts";
import { procMaps } from "../../../kernel/procfs/pid.ts";
import { sysMadvise, MADV_DONTFORK } from "../../../kernel/mm/mprotect.ts";
import { makeHarness, MemFile, read32U, write32U, accessSignal, type Harness } from "./helpers.ts";

const BASE = 0x1000_0000;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
/** More than RAM, which the overcommit heuristic only grants with MAP_NORESERVE. */
const ANON_NORESERVE = ANON | MAP_NORESERVE;

describe.each(MM_DESIGNS)("mm=%s: edges", (design) => {
  let h: Harness;
  afterEach(() => {
    expect(checkFrames(h.ctx)).toEqual([]);
  });

  it("fork that runs out of memory fails cleanly with ENOMEM", () => {
    h = makeHarness(design, 2 * 1024 * 1024); // 256 allocatable frames
    const p = h.newMm();
    doMmap(p, null, BASE, 1024 * 4096, PROT_READ | PROT_WRITE, ANON_NORESERVE);
    // Touch one page in each of many 4 MiB slots so fork needs many tables, then use up the rest.
    const far = doMmap(p, null, 0x2000_0000, 64 * 0x40_0000, PROT_READ | PROT_WRITE, ANON_NORESERVE);
    for (let i = 0; i < 64; i++) write32U(h, p, far + i * 0x40_0000, i);
    let i = 0;
    while (h.ctx.frames.freeCount > 3) write32U(h, p, BASE + 4096 * i++, i);
    const free = h.ctx.frames.freeCount;
    const r = forkMm(p, false);
    if (design === "sharedpt") {
      expect(typeof r).not.toBe("number");
      exitMm(r as Mm);
    } else {
      expect(r).toBe(-Errno.ENOMEM);
    }
    expect(h.ctx.frames.freeCount).toBe(free);
    expect(read32U(h, p, far + 5 * 0x40_0000)).toBe(5);
    exitMm(p);
  });

  it("a fault with no memory left reports oom, not a crash", () => {
    h = makeHarness(design, 2 * 1024 * 1024);
    const p = h.newMm();
    doMmap(p, null, BASE, 1024 * 4096, PROT_READ | PROT_WRITE, ANON_NORESERVE);
    let i = 0;
    while (h.ctx.frames.freeCount > 0) write32U(h, p, BASE + 4096 * i++, 1);
    expect(accessSignal(h, p, BASE + 4096 * i, true)).toBe("oom");
    exitMm(p);
  });

  it("a fault on a page its filesystem has no room for is SIGBUS (a full tmpfs); no memory is oom", () => {
    h = makeHarness(design);
    const p = h.newMm();
    for (const [err, decision] of [[-Errno.ENOSPC, "sigbus"], [-Errno.ENOMEM, "oom"]] as const) {
      const full: FileBacking = { size: 8192, mapping: new AddressSpace(h.ctx), storePage: () => err };
      const a = doMmap(p, full, 0, 8192, PROT_READ | PROT_WRITE, MAP_SHARED);
      expect(accessSignal(h, p, a, false)).toBe(decision);
      expect(accessSignal(h, p, a + 4096, true)).toBe(decision);
      full.mapping.release();
    }
    exitMm(p);
  });

  it("MADV_DONTFORK areas are not inherited", () => {
    h = makeHarness(design);
    const p = h.newMm();
    doMmap(p, null, BASE, 3 * 4096, PROT_READ | PROT_WRITE, ANON);
    for (let k = 0; k < 3; k++) write32U(h, p, BASE + k * 4096, k + 1);
    expect(sysMadvise(p, BASE + 4096, 4096, MADV_DONTFORK)).toBe(0);
    expect(p.vmas.length).toBe(3);
    const c = forkMm(p, false) as Mm;
    expect(c.vmas.map((v) => v.vmStart)).toEqual([BASE, BASE + 2 * 4096]);
    expect(c.totalVm).toBe(2);
    expect(accessSignal(h, c, BASE + 4096, false)).toBe("sigsegv");
    expect(read32U(h, c, BASE + 2 * 4096)).toBe(3);
    exitMm(c);
    exitMm(p);
  });

  it("exec of a process with 8192 areas, then the fresh image works", () => {
    h = makeHarness(design, 64 * 1024 * 1024);
    const p = h.newMm();
    for (let k = 0; k < 8192; k++) {
      doMmap(p, null, BASE + k * 8192, 4096, k % 2 ? PROT_READ : PROT_READ | PROT_WRITE, ANON);
      if (k % 2 === 0) write32U(h, p, BASE + k * 8192, k);
    }
    const c = forkMm(p, false) as Mm;
    expect(c.vmas.length).toBe(8192);
    expect(read32U(h, c, BASE + 8190 * 8192)).toBe(8190);
    expect(execMm(c)).toBe(c);
    doMmap(c, null, BASE, 4096, PROT_READ | PROT_WRITE, ANON);
    expect(read32U(h, c, BASE)).toBe(0);
    expect(read32U(h, p, BASE)).toBe(0);
    expect(read32U(h, p, BASE + 2 * 8192)).toBe(2);
    exitMm(c);
    exitMm(p);
  });
});

describe("maps and status text", () => {
  it("prints /proc/<pid>/maps and the Vm lines like Linux", () => {
    const h = makeHarness("vma");
    const mm = h.newMm();
    const file = Object.assign(new MemFile(h.ctx, new Uint8Array(8192)), { path: "/bin/true" });
    doMmap(mm, file, 0x0804_8000, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED, 0);
    mm.startBrk = mm.brk = 0x0805_0000;
    doMmap(mm, null, 0x0805_0000, 4096, PROT_READ | PROT_WRITE, ANON);
    mm.brk = 0x0805_1000;
    doMmap(mm, null, 0xbffff000, 4096, PROT_READ | PROT_WRITE, ANON);
    mm.startStack = 0xbffffe00;
    write32U(h, mm, 0xbffffe00, 1);
    // Names start at column 49 on i386 (Linux's seq_setwidth(25 + sizeof(void *) * 6 - 1)).
    expect(procMaps(mm, "", null)).toBe(
      "08048000-08049000 r-xp 00000000 00:00 0" + " ".repeat(10) + "/bin/true\n" +
      "08050000-08051000 rw-p 00000000 00:00 0" + " ".repeat(10) + "[heap]\n" +
      "bffff000-c0000000 rw-p 00000000 00:00 0" + " ".repeat(10) + "[stack]\n",
    );
    expect([mm.totalVm, mm.hiwaterRssNow, mm.rss, mm.anonRss]).toEqual([3, 1, 1, 1]);
    exitMm(mm);
    file.mapping.release();
    expect(checkFrames(h.ctx)).toEqual([]);
  });

  it("selectDesign rejects an unknown design with a clear message", () => {
    expect(() => selectDesign("fast")).toThrow("mm=fast: unknown design (choose classic, vma, lazy, sharedpt)");
  });
});
