// The CPU state a multiboot kernel is entered with.
import { describe, it, expect } from "vitest";
import { Machine } from "../../emulator/machine/machine.ts";
import { F, S, CR0 } from "../../emulator/cpu/cpu.ts";
import { INFO_BASE } from "../../emulator/machine/multiboot.ts";
import { mbHeader, buildElf, concat } from "./images.ts";

describe("multiboot entry state", () => {
  it("is flat 32-bit protected mode, no paging, IF clear, EAX magic, EBX info", () => {
    const m = new Machine({ memorySize: 8 << 20, startTime: 0 });
    const seg = concat(mbHeader(0x3), new Uint8Array(32).fill(0x90));
    m.loadKernel(buildElf(0x100010, [{ vaddr: 0x100000, paddr: 0x100000, data: seg, memsz: seg.length }]));
    const c = m.cpu;
    expect(c.regs[0] >>> 0).toBe(0x2badb002);
    expect(c.regs[3]).toBe(INFO_BASE);
    expect(c.eip).toBe(0x100010);
    expect(c.cr0 & (CR0.PE | CR0.PG)).toBe(CR0.PE);
    expect(c.cpl).toBe(0);
    expect(c.getEflags() & (F.IF | F.VM)).toBe(0);
    expect(c.segSel[S.CS]).toBe(0x08);
    for (const s of [S.DS, S.ES, S.FS, S.GS, S.SS]) expect(c.segSel[s]).toBe(0x10);
    for (let s = 0; s < 6; s++) {
      expect(c.segBase[s]).toBe(0);
      expect(c.segLimit[s] >>> 0).toBe(0xffffffff);
    }
    expect(c.segAttr[S.CS] & 0xff).toBe(0x9b);
    expect(c.segAttr[S.DS] & 0xff).toBe(0x93);
    expect(c.code32).toBe(true);
    // the PIC as a BIOS leaves it
    expect(m.pic.master.vectorBase).toBe(0x08);
    expect(m.pic.master.imr).toBe(0xfb);
  });
});
