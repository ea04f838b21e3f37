// Interrupt and exception delivery: gates, stack switch, error codes, EXT bit,
// real mode, double and triple faults.
import { describe, expect, it } from "vitest";
import { S, R, Vec, F } from "../../emulator/cpu/cpu.ts";
import { deliverException, deliverInterrupt, IntKind } from "../../emulator/cpu/system.ts";
import {
  TestCpu, faultOf, protectedMachine, toRing3, setIdt, putGate, putSeg, Sel, GateAcc, STACK0, STACK3, TSS, TSS_DF, GDT,
} from "./double.ts";

function words32(cpu: TestCpu, at: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(cpu.r32(at + 4 * i));
  return out;
}

describe("protected-mode interrupt delivery", () => {
  it("INT through a DPL-3 interrupt gate from ring 3 switches to the TSS ring-0 stack with an exact frame", () => {
    const cpu = protectedMachine();
    setIdt(cpu, 0x80, Sel.Code0, 0x6000, GateAcc.Int32User);
    toRing3(cpu, 0x7002);
    cpu.flags = 0x346; // TF IF ZF PF
    deliverInterrupt(cpu, 0x80, IntKind.Software);
    expect(cpu.cpl).toBe(0);
    expect(cpu.segSel[S.CS]).toBe(0x08);
    expect(cpu.segSel[S.SS]).toBe(0x10);
    expect(cpu.esp).toBe(STACK0 - 20);
    expect(cpu.eip).toBe(0x6000);
    expect(cpu.flags).toBe(0x46);
    expect(words32(cpu, STACK0 - 20, 5)).toEqual([0x7002, 0x1b, 0x346, STACK3 - 0x40, 0x23]);
    expect(cpu.segSel[S.DS]).toBe(0x23); // data segments untouched outside v86
  });

  it("a trap gate keeps IF; an interrupt gate clears it", () => {
    const cpu = protectedMachine();
    setIdt(cpu, 0x81, Sel.Code0, 0x6100, GateAcc.Trap32User);
    toRing3(cpu);
    cpu.flags = 0x202;
    deliverInterrupt(cpu, 0x81, IntKind.Software);
    expect(cpu.flags).toBe(0x202);
    expect(cpu.eip).toBe(0x6100);
  });

  it("a handler above 2 GiB leaves EIP as a signed int32, as every other transfer does (V8 keeps cpu.eip a small integer)", () => {
    const cpu = protectedMachine();
    setIdt(cpu, 0x83, Sel.Code0, 0xc000_1000, GateAcc.Int32User);
    toRing3(cpu);
    deliverInterrupt(cpu, 0x83, IntKind.Software);
    expect(cpu.eip).toBe(0xc000_1000 | 0);
  });

  it("INT n, INT3 and INTO through a gate with DPL < CPL raise #GP(vector*8+2) and change nothing", () => {
    const cpu = protectedMachine();
    setIdt(cpu, 0x82, Sel.Code0, 0x6200, GateAcc.Int32);
    setIdt(cpu, 3, Sel.Code0, 0x6200, GateAcc.Int32);
    toRing3(cpu, 0x7002);
    expect(faultOf(cpu, () => deliverInterrupt(cpu, 0x82, IntKind.Software))).toEqual([Vec.GP, 0x82 * 8 + 2]);
    expect(faultOf(cpu, () => deliverInterrupt(cpu, 3, IntKind.Int3))).toEqual([Vec.GP, 3 * 8 + 2]);
    setIdt(cpu, 4, Sel.Code0, 0x6200, GateAcc.Int32);
    expect(faultOf(cpu, () => deliverInterrupt(cpu, 4, IntKind.Into))).toEqual([Vec.GP, 4 * 8 + 2]);
    expect([cpu.cpl, cpu.eip, cpu.esp, cpu.segSel[S.CS]]).toEqual([3, 0x7002, STACK3 - 0x40, 0x1b]);
    // A hardware interrupt ignores the gate DPL.
    cpu.flags = 0x202;
    deliverInterrupt(cpu, 0x82, IntKind.Hardware);
    expect([cpu.cpl, cpu.eip, cpu.flags]).toEqual([0, 0x6200, 2]);
  });

  it("a not-present gate raises #NP(vector*8+2), plus EXT for an exception", () => {
    const cpu = protectedMachine();
    setIdt(cpu, 0x83, Sel.Code0, 0x6300, GateAcc.Int32User & 0x7f);
    toRing3(cpu);
    expect(faultOf(cpu, () => deliverInterrupt(cpu, 0x83, IntKind.Software))).toEqual([Vec.NP, 0x83 * 8 + 2]);
    // #UD with its gate absent: the #NP(6*8+3) is delivered through gate 11 with that error code.
    setIdt(cpu, Vec.NP, Sel.Code0, 0x6b00, GateAcc.Int32);
    setIdt(cpu, Vec.UD, Sel.Code0, 0x6600, GateAcc.Int32 & 0x7f);
    toRing3(cpu, 0x7010);
    deliverException(cpu, Vec.UD, -1);
    expect(cpu.eip).toBe(0x6b00);
    expect(words32(cpu, cpu.esp, 6)).toEqual([6 * 8 + 3, 0x7010, 0x1b, 2, STACK3 - 0x40, 0x23]);
  });

  it("an empty (all-zero) IDT entry is #GP(vector*8+2+EXT), escalating to #DF and shutdown when all are empty", () => {
    const cpu = protectedMachine();
    expect(faultOf(cpu, () => deliverInterrupt(cpu, 0x31, IntKind.Software))).toEqual([Vec.GP, 0x31 * 8 + 2]);
    deliverException(cpu, Vec.UD, -1);
    expect(cpu.triples).toBe(1);
  });

  it("a vector beyond the IDT limit raises #GP(vector*8+2+EXT)", () => {
    const cpu = protectedMachine();
    cpu.idtLimit = 0x7f;
    expect(faultOf(cpu, () => deliverInterrupt(cpu, 0x20, IntKind.Software))).toEqual([Vec.GP, 0x102]);
  });

  it("a gate whose type is not a gate raises #GP(vector*8+2)", () => {
    const cpu = protectedMachine();
    putGate(cpu, 0x2000 + 0x40 * 8, Sel.Code0, 0x6000, 0xec); // call gate in the IDT
    expect(faultOf(cpu, () => deliverInterrupt(cpu, 0x40, IntKind.Software))).toEqual([Vec.GP, 0x202]);
  });

  it("exceptions push their error code (0 when none was given); others push none", () => {
    const cpu = protectedMachine();
    setIdt(cpu, Vec.GP, Sel.Code0, 0x6d00, GateAcc.Int32);
    setIdt(cpu, Vec.PF, Sel.Code0, 0x6e00, GateAcc.Int32);
    setIdt(cpu, Vec.DE, Sel.Code0, 0x6f00, GateAcc.Int32);
    toRing3(cpu, 0x7000);
    deliverException(cpu, Vec.GP, 0x1234);
    expect(words32(cpu, STACK0 - 24, 6)).toEqual([0x1234, 0x7000, 0x1b, 2, STACK3 - 0x40, 0x23]);
    toRing3(cpu, 0x7000);
    deliverException(cpu, Vec.PF, -1);
    expect(cpu.esp).toBe(STACK0 - 24);
    expect(cpu.r32(cpu.esp)).toBe(0);
    toRing3(cpu, 0x7000);
    deliverException(cpu, Vec.DE, 5);
    expect(cpu.esp).toBe(STACK0 - 20);
    expect(cpu.r32(cpu.esp)).toBe(0x7000);
  });

  it("delivers at the same level on the current stack at ring 0, and through 16-bit gates with word frames", () => {
    const cpu = protectedMachine();
    setIdt(cpu, 0x90, Sel.Code0, 0x6000, GateAcc.Int32);
    setIdt(cpu, 0x91, Sel.Code0, 0x12345678, GateAcc.Int16);
    cpu.eip = 0x7100;
    const esp = cpu.esp;
    deliverInterrupt(cpu, 0x90, IntKind.Software);
    expect(cpu.esp).toBe(esp - 12);
    expect(words32(cpu, cpu.esp, 3)).toEqual([0x7100, 0x08, 2]);
    cpu.eip = 0x7200;
    deliverInterrupt(cpu, 0x91, IntKind.Software);
    expect(cpu.eip).toBe(0x5678);
    expect(cpu.esp).toBe(esp - 18);
    expect([cpu.r16(cpu.esp), cpu.r16(cpu.esp + 2), cpu.r16(cpu.esp + 4)]).toEqual([0x7200, 0x08, 2]);
  });

  it("checks the target code segment: not code #GP(sel+EXT), not present #NP(sel+EXT), DPL > CPL #GP", () => {
    const cpu = protectedMachine();
    setIdt(cpu, 0x50, Sel.Data0, 0x6000, GateAcc.Int32User);
    expect(faultOf(cpu, () => deliverInterrupt(cpu, 0x50, IntKind.Software))).toEqual([Vec.GP, 0x10]);
    const c2 = protectedMachine();
    setIdt(c2, 0x51, Sel.Absent, 0x6000, GateAcc.Int32User);
    putSeg(c2, GDT + 0x48, 0, 0xfffff, 0x1a);
    expect(faultOf(c2, () => deliverInterrupt(c2, 0x51, IntKind.Software))).toEqual([Vec.NP, 0x48]);
    const c3 = protectedMachine();
    setIdt(c3, 0x52, Sel.Code3, 0x6000, GateAcc.Int32User);
    setIdt(c3, 0x53, 0, 0x6000, GateAcc.Int32User);
    expect(faultOf(c3, () => deliverInterrupt(c3, 0x52, IntKind.Software))).toEqual([Vec.GP, 0x18]);
    expect(faultOf(c3, () => deliverInterrupt(c3, 0x53, IntKind.Software))).toEqual([Vec.GP, 0]);
  });

  it("a bad ring-0 stack in the TSS raises #TS(ss), and #SS(ss) when it is not present", () => {
    const cpu = protectedMachine();
    setIdt(cpu, 0x80, Sel.Code0, 0x6000, GateAcc.Int32User);
    cpu.w16(TSS + 8, Sel.Data3);
    toRing3(cpu);
    expect(faultOf(cpu, () => deliverInterrupt(cpu, 0x80, IntKind.Software))).toEqual([Vec.TS, 0x20]);
    cpu.w16(TSS + 8, Sel.Absent);
    expect(faultOf(cpu, () => deliverInterrupt(cpu, 0x80, IntKind.Software))).toEqual([Vec.SS, 0x48]);
    cpu.w16(TSS + 8, 0);
    expect(faultOf(cpu, () => deliverInterrupt(cpu, 0x80, IntKind.Software))).toEqual([Vec.TS, 0]);
    expect(cpu.cpl).toBe(3);
  });

  it("a hardware interrupt whose gate is absent delivers #NP(vector*8+3)", () => {
    const cpu = protectedMachine();
    setIdt(cpu, Vec.NP, Sel.Code0, 0x6b00, GateAcc.Int32);
    setIdt(cpu, 0x30, Sel.Code0, 0x6600, GateAcc.Int32 & 0x7f);
    toRing3(cpu, 0x7000);
    deliverInterrupt(cpu, 0x30, IntKind.Hardware);
    expect(cpu.eip).toBe(0x6b00);
    expect(cpu.r32(cpu.esp)).toBe(0x30 * 8 + 3);
  });

  it("wakes a halted CPU", () => {
    const cpu = protectedMachine();
    setIdt(cpu, 0x20, Sel.Code0, 0x6000, GateAcc.Int32);
    cpu.halted = true;
    deliverInterrupt(cpu, 0x20, IntKind.Hardware);
    expect(cpu.halted).toBe(false);
  });
});

describe("real-mode delivery", () => {
  it("uses the IVT at idtBase and pushes FLAGS CS IP, clearing IF TF AC", () => {
    const cpu = new TestCpu();
    cpu.segSel[S.CS] = 0x1000;
    cpu.segBase[S.CS] = 0x10000;
    cpu.segLimit[S.CS] = 0xffff;
    cpu.segAttr[S.CS] = 0x9b;
    cpu.segAttr[S.SS] = 0x93;
    cpu.segLimit[S.SS] = 0xffff;
    cpu.segBase[S.SS] = 0x500 << 4;
    cpu.segSel[S.SS] = 0x500;
    cpu.regs[R.ESP] = 0x1000;
    cpu.eip = 0x0123;
    cpu.w16(0x21 * 4, 0x1234);
    cpu.w16(0x21 * 4 + 2, 0x2000);
    cpu.flags = F.AC | F.IF | F.TF | F.CF | 2;
    deliverInterrupt(cpu, 0x21, IntKind.Software);
    expect([cpu.segSel[S.CS], cpu.segBase[S.CS], cpu.eip, cpu.esp]).toEqual([0x2000, 0x20000, 0x1234, 0xffa]);
    expect([cpu.r16(0x5ffa), cpu.r16(0x5ffc), cpu.r16(0x5ffe)]).toEqual([0x0123, 0x1000, 0x0303]);
    expect(cpu.flags).toBe(F.CF | 2);
    // No error code in real mode.
    cpu.w16(13 * 4, 0x4444);
    deliverException(cpu, Vec.GP, 0);
    expect(cpu.esp).toBe(0xff4);
  });
});

describe("double and triple faults", () => {
  it("a contributory fault while delivering a contributory one becomes #DF with error code 0", () => {
    const cpu = protectedMachine();
    setIdt(cpu, Vec.GP, Sel.Code0, 0x6d00, GateAcc.Int32 & 0x7f); // absent
    setIdt(cpu, Vec.NP, Sel.Code0, 0x6b00, GateAcc.Int32);
    setIdt(cpu, Vec.DF, Sel.Code0, 0x6800, GateAcc.Int32);
    toRing3(cpu, 0x7000);
    deliverException(cpu, Vec.GP, 0x10);
    expect(cpu.eip).toBe(0x6800);
    expect(words32(cpu, cpu.esp, 6)).toEqual([0, 0x7000, 0x1b, 2, STACK3 - 0x40, 0x23]);
  });

  it("a contributory fault while delivering a benign exception is delivered serially", () => {
    const cpu = protectedMachine();
    setIdt(cpu, Vec.NP, Sel.Code0, 0x6b00, GateAcc.Int32);
    setIdt(cpu, Vec.DF, Sel.Code0, 0x6800, GateAcc.Int32);
    setIdt(cpu, Vec.DB, Sel.Code0, 0x6100, GateAcc.Int32 & 0x7f);
    deliverException(cpu, Vec.DB, -1);
    expect(cpu.eip).toBe(0x6b00);
    expect(cpu.r32(cpu.esp)).toBe(Vec.DB * 8 + 3);
  });

  it("#PF while delivering #PF becomes #DF, delivered through a task gate with error code 0", () => {
    const cpu = protectedMachine();
    setIdt(cpu, Vec.PF, Sel.Code0, 0x6e00, GateAcc.Int32);
    setIdt(cpu, Vec.DF, Sel.TssDf, 0, GateAcc.Task);
    cpu.w32(TSS_DF + 0x20, 0x6800);
    cpu.w32(TSS_DF + 0x24, 2);
    cpu.w32(TSS_DF + 0x38, 0xc000);
    cpu.w16(TSS_DF + 0x4c, Sel.Code0);
    for (const off of [0x48, 0x50, 0x54, 0x58, 0x5c]) cpu.w16(TSS_DF + off, Sel.Data0);
    toRing3(cpu, 0x7000);
    cpu.missing.add((STACK0 - 4) >>> 12);
    deliverException(cpu, Vec.PF, 4);
    expect(cpu.cr2).toBe(STACK0 - 4);
    expect([cpu.trSel, cpu.eip, cpu.cpl, cpu.segSel[S.CS]]).toEqual([Sel.TssDf, 0x6800, 0, Sel.Code0]);
    expect(cpu.esp).toBe(0xc000 - 4);
    expect(cpu.r32(0xc000 - 4)).toBe(0);
    expect(cpu.flags & F.NT).toBe(F.NT);
    expect(cpu.r16(TSS_DF)).toBe(Sel.Tss); // back link
    expect(cpu.r32(TSS + 0x20)).toBe(0x7000); // the interrupted EIP, saved in the old TSS
    expect(cpu.mem.read8(GDT + Sel.TssDf + 5) & 0x1f).toBe(0x0b);
    expect(cpu.mem.read8(GDT + Sel.Tss + 5) & 0x1f).toBe(0x0b);
  });

  it("a fault while delivering #DF shuts the CPU down (triple fault)", () => {
    const cpu = protectedMachine();
    cpu.idtLimit = 0;
    deliverException(cpu, Vec.GP, 0);
    expect(cpu.triples).toBe(1);
    expect(cpu.shutdown).toBe(true);
    expect(cpu.halted).toBe(true);
  });

  it("a page fault during #GP delivery is delivered as #PF (contributory then PF is not a double fault)", () => {
    const cpu = protectedMachine();
    setIdt(cpu, Vec.GP, Sel.Code0, 0x6d00, GateAcc.Int32);
    setIdt(cpu, Vec.DF, Sel.Code0, 0x6800, GateAcc.Int32);
    cpu.missing.add(0x2000 >>> 12); // the IDT page itself
    deliverException(cpu, Vec.GP, 0);
    // #GP -> #PF reading the IDT -> the #PF gate can't be read either -> #DF -> #PF -> shutdown
    expect(cpu.triples).toBe(1);
  });
});

describe("virtual-8086 mode interrupts", () => {
  it("INT n in v86 mode with IOPL < 3 raises #GP(0); a handler with DPL != 0 is #GP(sel)", () => {
    const cpu = protectedMachine();
    setIdt(cpu, 0x80, Sel.Code0, 0x6000, GateAcc.Int32User);
    setIdt(cpu, 0x81, Sel.Code3, 0x6000, GateAcc.Int32User);
    toRing3(cpu);
    cpu.flags = F.VM | 2;
    expect(faultOf(cpu, () => deliverInterrupt(cpu, 0x80, IntKind.Software))).toEqual([Vec.GP, 0]);
    cpu.flags = F.VM | F.IOPL | 2;
    expect(faultOf(cpu, () => deliverInterrupt(cpu, 0x81, IntKind.Software))).toEqual([Vec.GP, 0x18]);
    // INT3 is not IOPL-sensitive.
    setIdt(cpu, 3, Sel.Code0, 0x6300, GateAcc.Int32User);
    cpu.flags = F.VM | 2;
    deliverInterrupt(cpu, 3, IntKind.Int3);
    expect([cpu.eip, cpu.cpl, cpu.flags & F.VM]).toEqual([0x6300, 0, 0]);
  });
});
