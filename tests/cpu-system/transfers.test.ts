// Far JMP/CALL/RETF: code segments, call gates (parameter copy, stack switch), outer returns.
import { describe, expect, it } from "vitest";
import { S, Vec, F, CR0 } from "../../emulator/cpu/cpu.ts";
import { farCall, farJump, farReturn, loadSegment } from "../../emulator/cpu/system.ts";
import { TestCpu, faultOf, protectedMachine, toRing3, putGate, Sel, GDT, STACK0, TSS } from "./double.ts";

function words32(cpu: TestCpu, at: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(cpu.r32(at + 4 * i));
  return out;
}

describe("call gates", () => {
  it("CALL through a call gate from ring 3 switches stacks, copies the parameters, RETF 8 returns to ring 3", () => {
    const cpu = protectedMachine();
    toRing3(cpu, 0x7005);
    cpu.w32(cpu.esp, 0x11111111);
    cpu.w32(cpu.esp + 4, 0x22222222);
    farCall(cpu, Sel.CallGate, 0xdead, true);
    expect([cpu.cpl, cpu.segSel[S.CS], cpu.segSel[S.SS], cpu.eip, cpu.esp]).toEqual([0, 0x08, 0x10, 0x5000, STACK0 - 24]);
    expect(words32(cpu, STACK0 - 24, 6)).toEqual([0x7005, 0x1b, 0x11111111, 0x22222222, 0x7fc0, 0x23]);

    loadSegment(cpu, S.DS, Sel.Data0);
    farReturn(cpu, true, 8);
    expect([cpu.cpl, cpu.segSel[S.CS], cpu.segSel[S.SS], cpu.eip, cpu.esp]).toEqual([3, 0x1b, 0x23, 0x7005, 0x7fc8]);
    expect([cpu.segSel[S.DS], cpu.segAttr[S.DS]]).toEqual([0, 0]); // DPL-0 data nulled at CPL 3
    expect(cpu.segSel[S.ES]).toBe(0x23);
  });

  it("a 16-bit call gate pushes words and copies word parameters", () => {
    const cpu = protectedMachine();
    putGate(cpu, GDT + 0x40, Sel.Code0, 0x5100, 0xe4, 1);
    toRing3(cpu, 0x7005);
    cpu.w16(cpu.esp, 0xabcd);
    farCall(cpu, Sel.CallGate, 0, false);
    expect([cpu.eip, cpu.esp]).toEqual([0x5100, STACK0 - 10]);
    const w = [0, 2, 4, 6, 8].map((o) => cpu.r16(STACK0 - 10 + o));
    expect(w).toEqual([0x7005, 0x1b, 0xabcd, 0x7fc0, 0x23]);
  });

  it("gate checks: DPL < CPL #GP(gate), not present #NP(gate), bad TSS stack #TS(ss)", () => {
    const cpu = protectedMachine();
    toRing3(cpu);
    putGate(cpu, GDT + 0x40, Sel.Code0, 0x5000, 0x8c, 2);
    expect(faultOf(cpu, () => farCall(cpu, Sel.CallGate, 0, true))).toEqual([Vec.GP, 0x40]);
    putGate(cpu, GDT + 0x40, Sel.Code0, 0x5000, 0x6c, 2);
    expect(faultOf(cpu, () => farCall(cpu, Sel.CallGate, 0, true))).toEqual([Vec.NP, 0x40]);
    putGate(cpu, GDT + 0x40, Sel.Code0, 0x5000, 0xec, 2);
    cpu.w16(TSS + 8, Sel.ReadOnly);
    expect(faultOf(cpu, () => farCall(cpu, Sel.CallGate, 0, true))).toEqual([Vec.TS, 0x70]);
    putGate(cpu, GDT + 0x40, Sel.Data0, 0x5000, 0xec, 2);
    expect(faultOf(cpu, () => farCall(cpu, Sel.CallGate, 0, true))).toEqual([Vec.GP, 0x10]);
    expect([cpu.cpl, cpu.esp]).toEqual([3, 0x7fc0]);
  });

  it("JMP through a call gate never changes privilege: #GP(target) for a more privileged nonconforming target", () => {
    const cpu = protectedMachine();
    toRing3(cpu);
    expect(faultOf(cpu, () => farJump(cpu, Sel.CallGate, 0, true))).toEqual([Vec.GP, 0x08]);
    const c0 = protectedMachine();
    farJump(c0, Sel.CallGate, 0, true);
    expect([c0.segSel[S.CS], c0.eip, c0.cpl]).toEqual([0x08, 0x5000, 0]);
  });

  it("a call gate to a conforming segment keeps CPL and the stack", () => {
    const cpu = protectedMachine();
    putGate(cpu, GDT + 0x40, Sel.Conform0, 0x5200, 0xec, 0);
    toRing3(cpu, 0x7005);
    farCall(cpu, Sel.CallGate, 0, true);
    expect([cpu.cpl, cpu.segSel[S.CS], cpu.eip, cpu.esp]).toEqual([3, 0x63, 0x5200, 0x7fc0 - 8]);
    expect(words32(cpu, cpu.esp, 2)).toEqual([0x7005, 0x1b]);
  });
});

describe("direct far transfers", () => {
  it("JMP/CALL to code segments: nonconforming needs DPL == CPL, conforming DPL <= CPL", () => {
    const cpu = protectedMachine();
    toRing3(cpu, 0x7005);
    expect(faultOf(cpu, () => farJump(cpu, Sel.Code0, 0x100, true))).toEqual([Vec.GP, 0x08]);
    expect(faultOf(cpu, () => farJump(cpu, Sel.Data3, 0x100, true))).toEqual([Vec.GP, 0x20]);
    expect(faultOf(cpu, () => farJump(cpu, 0, 0x100, true))).toEqual([Vec.GP, 0]);
    farJump(cpu, Sel.Conform0, 0x100, true);
    expect([cpu.segSel[S.CS], cpu.cpl, cpu.eip]).toEqual([0x63, 3, 0x100]);
    const c0 = protectedMachine();
    expect(faultOf(c0, () => farJump(c0, Sel.Code3, 0x100, true))).toEqual([Vec.GP, 0x18]);
    expect(faultOf(c0, () => farJump(c0, Sel.Code0 | 3, 0x100, true))).toEqual([Vec.GP, 0x08]); // RPL > CPL
    expect(faultOf(c0, () => farJump(c0, Sel.Code16, 0x10000, true))).toEqual([Vec.GP, 0]); // beyond the limit
  });

  it("CALL FAR at the same level pushes CS:IP by operand size; RETF pops them", () => {
    const cpu = protectedMachine();
    cpu.eip = 0x7100;
    const esp = cpu.esp;
    farCall(cpu, Sel.Code16, 0x1234, false);
    expect([cpu.segSel[S.CS], cpu.eip, cpu.esp]).toEqual([Sel.Code16, 0x1234, esp - 4]);
    expect([cpu.r16(cpu.esp), cpu.r16(cpu.esp + 2)]).toEqual([0x7100, 0x08]);
    farReturn(cpu, false, 0);
    expect([cpu.segSel[S.CS], cpu.eip, cpu.esp]).toEqual([0x08, 0x7100, esp]);
  });

  it("RETF checks: to an inner level #GP(cs), outer SS with the wrong RPL #GP(ss), absent CS #NP(cs)", () => {
    const cpu = protectedMachine();
    toRing3(cpu);
    cpu.w32(cpu.esp, 0x100);
    cpu.w32(cpu.esp + 4, Sel.Code0);
    expect(faultOf(cpu, () => farReturn(cpu, true, 0))).toEqual([Vec.GP, 0x08]);
    const c0 = protectedMachine();
    c0.w32(c0.esp, 0x100);
    c0.w32(c0.esp + 4, Sel.Code3);
    c0.w32(c0.esp + 8, 0x7000);
    c0.w32(c0.esp + 12, Sel.Data0);
    expect(faultOf(c0, () => farReturn(c0, true, 0))).toEqual([Vec.GP, 0x10]);
    c0.w32(c0.esp + 12, Sel.Data0 | 3);
    expect(faultOf(c0, () => farReturn(c0, true, 0))).toEqual([Vec.GP, 0x10]); // DPL 0 != RPL 3
    c0.mem.write8(GDT + 0x18 + 5, 0x7a); // Code3 not present
    expect(faultOf(c0, () => farReturn(c0, true, 0))).toEqual([Vec.NP, 0x18]);
    expect([c0.cpl, c0.segSel[S.CS]]).toEqual([0, 0x08]);
  });
});

describe("real and virtual-8086 mode far transfers", () => {
  it("real mode: CALL FAR / RETF load CS as sel << 4", () => {
    const cpu = new TestCpu();
    cpu.cr0 = CR0.ET;
    cpu.segLimit[S.CS] = 0xffff;
    cpu.segLimit[S.SS] = 0xffff;
    cpu.esp = 0x2000;
    cpu.segSel[S.CS] = 0x100;
    cpu.segBase[S.CS] = 0x1000;
    cpu.eip = 0x55;
    farCall(cpu, 0x2345, 0x10, false);
    expect([cpu.segSel[S.CS], cpu.segBase[S.CS], cpu.eip, cpu.esp]).toEqual([0x2345, 0x23450, 0x10, 0x1ffc]);
    expect([cpu.r16(0x1ffc), cpu.r16(0x1ffe)]).toEqual([0x55, 0x100]);
    farReturn(cpu, false, 6);
    expect([cpu.segSel[S.CS], cpu.segBase[S.CS], cpu.eip, cpu.esp]).toEqual([0x100, 0x1000, 0x55, 0x2006]);
  });

  it("v86 mode: JMP FAR gives CS base sel << 4 and limit 0xFFFF", () => {
    const cpu = protectedMachine();
    toRing3(cpu);
    cpu.flags = F.VM | 2;
    farJump(cpu, 0xf000, 0xfff0, false);
    expect([cpu.segSel[S.CS], cpu.segBase[S.CS], cpu.segLimit[S.CS], cpu.eip]).toEqual([0xf000, 0xf0000, 0xffff, 0xfff0]);
  });
});
