// Seed 002 (anonmm reverse mapping) in the guest: after a fork tree, for every
// anonymous frame the reverse map (walking the page's anonmm bundle) finds
// exactly the PTEs a full scan of every page table finds; pages of an exited
// mm are still found and migrate to a live mm on pageReferenced.

import { describe, expect, it } from "vitest";
import { GuestSession } from "../../support/guest.ts";
import { PG } from "../../../kernel/mm/page.ts";
import { Anonmm, pageMappers, pageReferenced } from "../../../kernel/mm/rmap.ts";
import type { MmContext } from "../../../kernel/mm/context.ts";

const DESIGNS = ["classic", "vma", "lazy", "sharedpt"];

/** pfn -> sorted "pgd@va" of every present user PTE mapping an anonymous frame, by scanning all page tables. */
function fullScan(ctx: MmContext): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const mm of ctx.mms) {
    for (let i = 0; i < 768; i++) {
      const pde = ctx.mem.read32(mm.pgd + i * 4);
      if (!(pde & 1)) continue;
      const table = (pde & ~0xfff) >>> 0;
      for (let j = 0; j < 1024; j++) {
        const pte = ctx.mem.read32(table + j * 4);
        const pfn = pte >>> 12;
        if (!(pte & 1) || !ctx.frames.isNormal(pfn) || !(ctx.frames.flags[pfn] & PG.ANON)) continue;
        const va = (i * 1024 + j) * 4096;
        const v = mm.findVma(va)!;
        if (v.vmFlags & 0x400 && pfn === v.vmPgoff + (va - v.vmStart) / 4096) continue; // raw PFN entry
        out.set(pfn, [...(out.get(pfn) ?? []), `${mm.pgd}@${va}`]);
      }
    }
  }
  for (const v of out.values()) v.sort();
  return out;
}

describe.each(DESIGNS)("anonmm reverse map under mm=%s", (design) => {
  it("finds exactly the PTEs a full scan finds, through exited mms too", () => {
    const s = new GuestSession({ cmdline: `quiet mm=${design}` });
    const ctx = s.kernel.mmctx;
    s.sys.machine.sendInput(new TextEncoder().encode("/tests/rmap_tree -w\r"));
    s.waitFor("READY");
    const scan = fullScan(ctx);
    let anonFrames = 0, shared = 0, orphans = 0;
    for (let pfn = ctx.frames.firstPfn; pfn < ctx.frames.nframes; pfn++) {
      if (ctx.frames.count[pfn] === 0 || !(ctx.frames.flags[pfn] & PG.ANON)) continue;
      anonFrames++;
      const rmap = pageMappers(ctx, pfn).map((m) => `${m.mm.pgd}@${m.va}`).sort();
      expect(rmap, `frame ${pfn}`).toEqual(scan.get(pfn) ?? []);
      expect(rmap.length).toBe(ctx.frames.mapcount[pfn]);
      if (rmap.length > 1) shared++;
      const owner = ctx.frames.mapping[pfn] as Anonmm;
      if (owner.mm === null) {
        orphans++;
        pageReferenced(ctx, pfn); // migrates the page to a live mm of the bundle
        expect((ctx.frames.mapping[pfn] as Anonmm).mm).not.toBeNull();
        expect(pageMappers(ctx, pfn).map((m) => `${m.mm.pgd}@${m.va}`).sort()).toEqual(rmap);
      }
    }
    expect(anonFrames).toBeGreaterThan(100);
    expect(shared).toBeGreaterThan(40);
    expect(orphans).toBeGreaterThanOrEqual(16); // pages 0-15 faulted into the exited child A
    expect(s.check()).toEqual([]);
    s.sys.machine.sendInput(new TextEncoder().encode("\r"));
    const out = s.waitFor("\r\n# ");
    expect(out).toContain("PASS rmap_tree_contents");
    expect(out).toContain("PASS rmap_tree_root_contents");
    expect(s.check()).toEqual([]);
  });
});
