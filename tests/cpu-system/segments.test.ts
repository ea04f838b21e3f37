// Segment-register loads with every check and error code; LLDT, LTR; LAR, LSL, VERR, VERW.
import { describe, expect, it } from "vitest";
import { S, Vec, F, CR0 } from "../../emulator/cpu/cpu.ts";
import { loadSegment, lldt, ltr, lar, lsl, verr, verw } from "../../emulator/cpu/system.ts";
import { TestCpu, faultOf, protectedMachine, toRing3, Sel, GDT, LDT, TSS2, putSeg } from "./double.ts";

describe("loadSegment in protected mode", () => {
  it("loads a visible data segment, fills the cache and sets the accessed bit in the GDT", () => {
    const cpu = protectedMachine();
    toRing3(cpu);
    expect(cpu.mem.read8(GDT + 0xa0 + 5)).toBe(0xf2);
    loadSegment(cpu, S.DS, Sel.Data3Small);
    expect([cpu.segSel[S.DS], cpu.segBase[S.DS], cpu.segLimit[S.DS], cpu.segAttr[S.DS]])
      .toEqual([0xa3, 0x20000, 0xfff, 0x40f3]);
    expect(cpu.mem.read8(GDT + 0xa0 + 5)).toBe(0xf3);
  });

  it("loads LDT selectors through LDTR", () => {
    const cpu = protectedMachine();
    toRing3(cpu);
    loadSegment(cpu, S.ES, 0x0f);
    expect([cpu.segSel[S.ES], cpu.segBase[S.ES], cpu.segLimit[S.ES]]).toEqual([0x0f, 0x10000, 0xffff]);
    expect(faultOf(cpu, () => loadSegment(cpu, S.ES, 0x107))).toEqual([Vec.GP, 0x104]);
    cpu.ldtSel = 0;
    expect(faultOf(cpu, () => loadSegment(cpu, S.ES, 0x0f))).toEqual([Vec.GP, 0x0c]);
  });

  it("null selectors: allowed for DS/ES/FS/GS (cache unusable), #GP(0) for SS", () => {
    const cpu = protectedMachine();
    toRing3(cpu);
    loadSegment(cpu, S.FS, 3);
    expect([cpu.segSel[S.FS], cpu.segAttr[S.FS]]).toEqual([3, 0]);
    expect(faultOf(cpu, () => loadSegment(cpu, S.SS, 3))).toEqual([Vec.GP, 0]);
    expect(cpu.segSel[S.SS]).toBe(Sel.Data3);
  });

  it("privilege and type checks raise #GP(selector) with RPL cleared", () => {
    const cpu = protectedMachine();
    toRing3(cpu);
    expect(faultOf(cpu, () => loadSegment(cpu, S.DS, Sel.Data0 | 3))).toEqual([Vec.GP, 0x10]); // DPL 0 < CPL 3
    expect(faultOf(cpu, () => loadSegment(cpu, S.DS, 0x1fb))).toEqual([Vec.GP, 0x1f8]); // beyond the GDT
    expect(faultOf(cpu, () => loadSegment(cpu, S.DS, Sel.Tss | 3))).toEqual([Vec.GP, 0x28]); // system segment
    const c0 = protectedMachine();
    expect(faultOf(c0, () => loadSegment(c0, S.DS, Sel.Data0 | 3))).toEqual([Vec.GP, 0x10]); // RPL 3 > DPL 0
    expect(faultOf(c0, () => loadSegment(c0, S.DS, Sel.ExecOnly))).toEqual([Vec.GP, 0x68]); // execute-only code
    loadSegment(c0, S.DS, Sel.Code0); // readable code is fine
    expect(c0.segSel[S.DS]).toBe(Sel.Code0);
    expect(faultOf(c0, () => loadSegment(c0, S.SS, Sel.Data3))).toEqual([Vec.GP, 0x20]); // RPL != CPL
    expect(faultOf(c0, () => loadSegment(c0, S.SS, Sel.ReadOnly))).toEqual([Vec.GP, 0x70]); // not writable
    expect(faultOf(c0, () => loadSegment(c0, S.SS, Sel.Code0))).toEqual([Vec.GP, 0x08]);
    expect(faultOf(c0, () => loadSegment(c0, S.SS, Sel.Data1 & ~3))).toEqual([Vec.GP, 0x88]); // DPL 1 != CPL 0
  });

  it("a conforming readable code segment is visible from ring 3", () => {
    const cpu = protectedMachine();
    toRing3(cpu);
    loadSegment(cpu, S.GS, Sel.Conform0 | 3);
    expect(cpu.segSel[S.GS]).toBe(0x63);
  });

  it("not present: #NP(sel) for data registers, #SS(sel) for SS", () => {
    const cpu = protectedMachine();
    expect(faultOf(cpu, () => loadSegment(cpu, S.DS, Sel.Absent))).toEqual([Vec.NP, 0x48]);
    expect(faultOf(cpu, () => loadSegment(cpu, S.SS, Sel.Absent))).toEqual([Vec.SS, 0x48]);
    expect(cpu.segSel[S.DS]).toBe(Sel.Data0);
  });

  it("calls onModeChange after an SS load", () => {
    const cpu = protectedMachine();
    const before = cpu.modeChanges;
    loadSegment(cpu, S.DS, Sel.Data0);
    expect(cpu.modeChanges).toBe(before);
    loadSegment(cpu, S.SS, Sel.Data0);
    expect(cpu.modeChanges).toBe(before + 1);
  });
});

describe("loadSegment in real and virtual-8086 mode", () => {
  it("real mode: base = sel << 4, limit and attributes kept", () => {
    const cpu = new TestCpu();
    cpu.segLimit[S.DS] = -1; // "unreal" limit survives
    cpu.segAttr[S.DS] = 0x8093;
    loadSegment(cpu, S.DS, 0x1234);
    expect([cpu.segSel[S.DS], cpu.segBase[S.DS], cpu.segLimit[S.DS], cpu.segAttr[S.DS]])
      .toEqual([0x1234, 0x12340, -1, 0x8093]);
  });

  it("v86 mode: base = sel << 4, limit 0xFFFF, DPL-3 data", () => {
    const cpu = protectedMachine();
    toRing3(cpu);
    cpu.flags = F.VM | 2;
    loadSegment(cpu, S.ES, 0xb800);
    expect([cpu.segSel[S.ES], cpu.segBase[S.ES], cpu.segLimit[S.ES], cpu.segAttr[S.ES]])
      .toEqual([0xb800, 0xb8000, 0xffff, 0xf3]);
  });
});

describe("LLDT and LTR", () => {
  it("LLDT loads an LDT descriptor, accepts null, rejects other types and LDT selectors", () => {
    const cpu = protectedMachine();
    lldt(cpu, 0);
    expect(cpu.ldtSel).toBe(0);
    lldt(cpu, Sel.Ldt);
    expect([cpu.ldtSel, cpu.ldtBase, cpu.ldtLimit]).toEqual([Sel.Ldt, LDT, 0xff]);
    expect(faultOf(cpu, () => lldt(cpu, Sel.Data0))).toEqual([Vec.GP, 0x10]);
    expect(faultOf(cpu, () => lldt(cpu, 0x3c))).toEqual([Vec.GP, 0x3c]);
    putSeg(cpu, GDT + 0x38, LDT, 0xff, 0x02, 0);
    expect(faultOf(cpu, () => lldt(cpu, Sel.Ldt))).toEqual([Vec.NP, 0x38]);
    toRing3(cpu);
    expect(faultOf(cpu, () => lldt(cpu, 0))).toEqual([Vec.GP, 0]);
    cpu.cr0 = CR0.ET;
    expect(faultOf(cpu, () => lldt(cpu, 0))).toEqual([Vec.UD, -1]);
  });

  it("LTR loads an available TSS and marks it busy; a busy TSS is #GP(sel)", () => {
    const cpu = protectedMachine();
    ltr(cpu, Sel.Tss2);
    expect([cpu.trSel, cpu.trBase, cpu.trLimit, cpu.trAttr & 0x1f]).toEqual([Sel.Tss2, TSS2, 0x67, 0x0b]);
    expect(cpu.mem.read8(GDT + Sel.Tss2 + 5)).toBe(0x8b);
    expect(faultOf(cpu, () => ltr(cpu, Sel.Tss2))).toEqual([Vec.GP, 0x30]);
    expect(faultOf(cpu, () => ltr(cpu, 0))).toEqual([Vec.GP, 0]);
    expect(faultOf(cpu, () => ltr(cpu, Sel.Data0))).toEqual([Vec.GP, 0x10]);
  });
});

describe("LAR, LSL, VERR, VERW", () => {
  it("report access rights and limits of visible descriptors, -1/false otherwise", () => {
    const cpu = protectedMachine();
    toRing3(cpu);
    expect(lar(cpu, Sel.Data3) >>> 0).toBe(0x00cff200);
    expect(lsl(cpu, Sel.Data3)).toBe(0xffffffff);
    expect(lsl(cpu, Sel.Data3Small)).toBe(0xfff);
    expect(lar(cpu, Sel.Data0 | 3)).toBe(-1); // DPL 0 invisible at CPL 3
    expect(lar(cpu, Sel.Conform0 | 3) >>> 0).toBe(0x00cf9e00); // conforming code always visible
    expect(lar(cpu, 0)).toBe(-1);
    expect(lar(cpu, 0x1f8 | 3)).toBe(-1);
    expect(lar(cpu, Sel.CallGate) >>> 0).toBe(0x0000ec00); // call gate: valid for LAR
    expect(lsl(cpu, Sel.CallGate)).toBe(-1); // ... but not for LSL
    expect(verr(cpu, Sel.Data3)).toBe(true);
    expect(verw(cpu, Sel.Data3)).toBe(true);
    expect(verr(cpu, Sel.Code3)).toBe(true);
    expect(verw(cpu, Sel.Code3)).toBe(false);
    expect(verr(cpu, Sel.Data0)).toBe(false);
    expect(verr(cpu, Sel.Conform0)).toBe(true);
    const c0 = protectedMachine();
    expect(lsl(c0, Sel.Tss)).toBe(0x80 + 0x400);
    expect(verr(c0, Sel.ExecOnly)).toBe(false);
    expect(verw(c0, Sel.ReadOnly)).toBe(false);
    expect(verr(c0, Sel.Tss)).toBe(false);
    expect(lar(c0, Sel.Data1 | 3)).toBe(-1); // ring-1 data with RPL 3: DPL 1 < RPL 3
    expect(lar(c0, Sel.Data1) >>> 0).toBe(0x00cfb200);
  });
});
