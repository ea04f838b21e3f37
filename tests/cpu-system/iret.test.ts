// IRET: to ring 3, EFLAGS restore rules, into v86 mode and back through an interrupt, real mode.
import { describe, expect, it } from "vitest";
import { S, Vec, F, CR0 } from "../../emulator/cpu/cpu.ts";
import { iret, deliverInterrupt, IntKind } from "../../emulator/cpu/system.ts";
import { TestCpu, faultOf, protectedMachine, toRing3, setIdt, Sel, GateAcc, STACK0 } from "./double.ts";

function pushFrame(cpu: TestCpu, values: number[]): void {
  cpu.esp = cpu.esp - 4 * values.length;
  values.forEach((v, i) => cpu.w32(cpu.esp + 4 * i, v));
}

describe("protected-mode IRET", () => {
  it("returns from ring 0 to ring 3 through SS:ESP, may set IOPL and IF, nulls DPL-0 data segments", () => {
    const cpu = protectedMachine();
    pushFrame(cpu, [0x7000, Sel.Code3, 0x3202 | F.CF, 0x7fc0, Sel.Data3]);
    iret(cpu, true);
    expect([cpu.cpl, cpu.segSel[S.CS], cpu.eip, cpu.segSel[S.SS], cpu.esp]).toEqual([3, 0x1b, 0x7000, 0x23, 0x7fc0]);
    expect(cpu.flags).toBe(0x3203);
    expect([cpu.segSel[S.DS], cpu.segAttr[S.DS], cpu.segSel[S.ES]]).toEqual([0, 0, 0]);
  });

  it("at CPL 3 with IOPL 0 IRET changes neither IOPL nor IF, nor VM", () => {
    const cpu = protectedMachine();
    toRing3(cpu);
    cpu.flags = 2;
    pushFrame(cpu, [0x7100, Sel.Code3, 0x3202 | F.VM | F.CF | F.NT]);
    const esp = cpu.esp;
    iret(cpu, true);
    expect(cpu.flags).toBe(2 | F.CF | F.NT);
    expect([cpu.eip, cpu.esp, cpu.cpl]).toEqual([0x7100, esp + 12, 3]);
    // IOPL 3: IF follows the popped value.
    cpu.flags = 0x3002;
    pushFrame(cpu, [0x7200, Sel.Code3, 0x0202]);
    iret(cpu, true);
    expect(cpu.flags).toBe(0x3202);
  });

  it("rejects a return to an inner level #GP(cs) and a null CS #GP(0)", () => {
    const cpu = protectedMachine();
    toRing3(cpu);
    pushFrame(cpu, [0x7100, Sel.Code0, 2]);
    expect(faultOf(cpu, () => iret(cpu, true))).toEqual([Vec.GP, 0x08]);
    const c0 = protectedMachine();
    pushFrame(c0, [0x7100, 0, 2]);
    expect(faultOf(c0, () => iret(c0, true))).toEqual([Vec.GP, 0]);
  });

  it("16-bit IRET pops words and keeps the upper EFLAGS half", () => {
    const cpu = protectedMachine();
    cpu.flags = F.AC | 2;
    cpu.esp -= 6;
    cpu.w16(cpu.esp, 0x1234);
    cpu.w16(cpu.esp + 2, Sel.Code0);
    cpu.w16(cpu.esp + 4, 0x0246);
    iret(cpu, false);
    expect([cpu.eip, cpu.flags]).toEqual([0x1234, F.AC | 0x0246]);
  });
});

describe("virtual-8086 mode round trip", () => {
  it("IRETD with VM enters v86 mode; an interrupt comes back with the v86 frame; IRETD returns again", () => {
    const cpu = protectedMachine();
    const v86Flags = F.VM | F.IF | F.IOPL | 2;
    pushFrame(cpu, [0x1234, 0x2000, v86Flags, 0xfff0, 0x3000, 0x4000, 0x5000, 0x6000, 0x7000]);
    iret(cpu, true);
    expect(cpu.cpl).toBe(3);
    expect(cpu.flags).toBe(v86Flags);
    expect([cpu.segSel[S.CS], cpu.segBase[S.CS], cpu.segLimit[S.CS], cpu.eip]).toEqual([0x2000, 0x20000, 0xffff, 0x1234]);
    expect([cpu.segBase[S.SS], cpu.esp]).toEqual([0x30000, 0xfff0]);
    expect([S.ES, S.DS, S.FS, S.GS].map((s) => cpu.segBase[s])).toEqual([0x40000, 0x50000, 0x60000, 0x70000]);

    setIdt(cpu, 0x80, Sel.Code0, 0x6000, GateAcc.Int32User);
    cpu.eip = 0x1236;
    deliverInterrupt(cpu, 0x80, IntKind.Software);
    expect([cpu.cpl, cpu.segSel[S.CS], cpu.eip, cpu.segSel[S.SS], cpu.esp]).toEqual([0, 0x08, 0x6000, 0x10, STACK0 - 36]);
    expect(cpu.flags).toBe(F.IOPL | 2);
    const frame = [];
    for (let i = 0; i < 9; i++) frame.push(cpu.r32(STACK0 - 36 + 4 * i));
    expect(frame).toEqual([0x1236, 0x2000, v86Flags, 0xfff0, 0x3000, 0x4000, 0x5000, 0x6000, 0x7000]);
    expect([S.ES, S.DS, S.FS, S.GS].map((s) => [cpu.segSel[s], cpu.segAttr[s]])).toEqual([[0, 0], [0, 0], [0, 0], [0, 0]]);

    iret(cpu, true);
    expect([cpu.cpl, cpu.eip, cpu.segBase[S.CS], cpu.esp, cpu.segBase[S.DS], cpu.flags]).toEqual([3, 0x1236, 0x20000, 0xfff0, 0x50000, v86Flags]);
  });

  it("in v86 mode IRET with IOPL < 3 is #GP(0); with IOPL 3 it is a real-mode style return keeping IOPL", () => {
    const cpu = protectedMachine();
    toRing3(cpu);
    cpu.flags = F.VM | 2;
    expect(faultOf(cpu, () => iret(cpu, false))).toEqual([Vec.GP, 0]);
    cpu.flags = F.VM | F.IOPL | 2;
    cpu.segBase[S.SS] = 0;
    cpu.segAttr[S.SS] = 0xf3;
    cpu.esp = 0x7000;
    cpu.w16(0x7000, 0x0100);
    cpu.w16(0x7002, 0x1000);
    cpu.w16(0x7004, F.CF | 2); // IOPL 0, IF 0 in the image
    iret(cpu, false);
    expect([cpu.segBase[S.CS], cpu.eip, cpu.esp, cpu.flags]).toEqual([0x10000, 0x100, 0x7006, F.VM | F.IOPL | F.CF | 2]);
  });

  it("a hardware interrupt in v86 mode with IOPL 0 is delivered", () => {
    const cpu = protectedMachine();
    setIdt(cpu, 0x20, Sel.Code0, 0x6000, GateAcc.Int32);
    toRing3(cpu);
    cpu.flags = F.VM | F.IF | 2;
    deliverInterrupt(cpu, 0x20, IntKind.Hardware);
    expect([cpu.cpl, cpu.eip, cpu.flags, cpu.esp]).toEqual([0, 0x6000, 2, STACK0 - 36]);
  });
});

describe("real-mode IRET", () => {
  it("pops IP CS FLAGS", () => {
    const cpu = new TestCpu();
    cpu.cr0 = CR0.ET;
    cpu.segLimit[S.CS] = 0xffff;
    cpu.esp = 0x100;
    cpu.w16(0x100, 0x4321);
    cpu.w16(0x102, 0x0800);
    cpu.w16(0x104, 0x3202);
    iret(cpu, false);
    expect([cpu.segSel[S.CS], cpu.segBase[S.CS], cpu.eip, cpu.esp, cpu.flags]).toEqual([0x800, 0x8000, 0x4321, 0x106, 0x3202]);
  });
});
