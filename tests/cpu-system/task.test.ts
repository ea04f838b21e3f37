// Hardware task switches: CALL through a task gate and IRET back with NT, JMP to a TSS, error cases.
import { describe, expect, it } from "vitest";
import { S, R, Vec, F, CR0 } from "../../emulator/cpu/cpu.ts";
import { farCall, farJump, iret } from "../../emulator/cpu/system.ts";
import { faultOf, protectedMachine, putSeg, Sel, GDT, TSS, TSS2, TestCpu } from "./double.ts";

function prepareTss2(cpu: TestCpu): void {
  cpu.w32(TSS2 + 0x1c, 0x5000); // cr3
  cpu.w32(TSS2 + 0x20, 0x6400); // eip
  cpu.w32(TSS2 + 0x24, 0x0002 | F.CF);
  cpu.w32(TSS2 + 0x28, 0x1234); // eax
  cpu.w32(TSS2 + 0x38, 0xb000); // esp
  cpu.w16(TSS2 + 0x4c, Sel.Code0);
  for (const off of [0x48, 0x50, 0x54, 0x58, 0x5c]) cpu.w16(TSS2 + off, Sel.Data0);
  cpu.w16(TSS2 + 0x60, Sel.Ldt);
}

const busy = (cpu: TestCpu, sel: number) => cpu.mem.read8(GDT + sel + 5) & 0x1f;

describe("task switches", () => {
  it("CALL through a task gate nests (back link, NT, both busy); IRET returns through the back link", () => {
    const cpu = protectedMachine();
    prepareTss2(cpu);
    cpu.eip = 0x7100;
    cpu.regs[R.EAX] = 0xaaaa;
    cpu.regs[R.EBX] = 0xbbbb;
    const esp = cpu.esp;
    farCall(cpu, Sel.TaskGate, 0, true);
    expect([cpu.trSel, cpu.trBase, cpu.eip, cpu.regs[R.EAX], cpu.esp]).toEqual([Sel.Tss2, TSS2, 0x6400, 0x1234, 0xb000]);
    expect(cpu.flags).toBe(F.NT | F.CF | 2);
    expect([cpu.cr3, cpu.cr0 & CR0.TS, cpu.ldtSel, cpu.ldtBase]).toEqual([0x5000, CR0.TS, Sel.Ldt, 0x4000]);
    expect([cpu.segSel[S.CS], cpu.segSel[S.SS], cpu.segSel[S.DS], cpu.cpl]).toEqual([0x08, 0x10, 0x10, 0]);
    expect(cpu.r16(TSS2)).toBe(Sel.Tss);
    expect([busy(cpu, Sel.Tss), busy(cpu, Sel.Tss2)]).toEqual([0x0b, 0x0b]);
    expect([cpu.r32(TSS + 0x20), cpu.r32(TSS + 0x28), cpu.r32(TSS + 0x34), cpu.r32(TSS + 0x38)]).toEqual([0x7100, 0xaaaa, 0xbbbb, esp]);
    expect([cpu.instrEip, cpu.instrEsp]).toEqual([0x6400, 0xb000]);

    cpu.eip = 0x6410;
    iret(cpu, true);
    expect([cpu.trSel, cpu.eip, cpu.regs[R.EAX], cpu.regs[R.EBX], cpu.esp, cpu.flags]).toEqual([Sel.Tss, 0x7100, 0xaaaa, 0xbbbb, esp, 2]);
    expect([busy(cpu, Sel.Tss), busy(cpu, Sel.Tss2)]).toEqual([0x0b, 0x09]);
    expect(cpu.r32(TSS2 + 0x20)).toBe(0x6410);
    expect(cpu.r32(TSS2 + 0x24)).toBe(F.CF | 2); // NT cleared in the saved image
  });

  it("JMP to a TSS does not nest: the old TSS becomes available, no NT", () => {
    const cpu = protectedMachine();
    prepareTss2(cpu);
    cpu.w16(TSS2, 0x7777);
    farJump(cpu, Sel.Tss2, 0, true);
    expect([cpu.trSel, cpu.eip, cpu.flags & F.NT]).toEqual([Sel.Tss2, 0x6400, 0]);
    expect([busy(cpu, Sel.Tss), busy(cpu, Sel.Tss2)]).toEqual([0x09, 0x0b]);
    expect(cpu.r16(TSS2)).toBe(0x7777);
  });

  it("errors: busy TSS #GP(sel), TSS DPL < CPL #GP(sel), IRET to an available TSS #TS(sel), 16-bit TSS #TS(sel)", () => {
    const cpu = protectedMachine();
    prepareTss2(cpu);
    expect(faultOf(cpu, () => farJump(cpu, Sel.Tss, 0, true))).toEqual([Vec.GP, 0x28]);
    cpu.flags = F.NT | 2;
    cpu.w16(TSS, Sel.Tss2);
    expect(faultOf(cpu, () => iret(cpu, true))).toEqual([Vec.TS, 0x30]);
    cpu.flags = 2;
    putSeg(cpu, GDT + Sel.Tss2, TSS2, 0x67, 0x81, 0);
    expect(faultOf(cpu, () => farJump(cpu, Sel.Tss2, 0, true))).toEqual([Vec.TS, 0x30]);
    expect(cpu.trSel).toBe(Sel.Tss);
    const c3 = protectedMachine();
    c3.cpl = 3;
    expect(faultOf(c3, () => farJump(c3, Sel.Tss2 | 3, 0, true))).toEqual([Vec.GP, 0x30]);
  });

  it("a bad segment in the new task faults #TS(sel) in the new task's context", () => {
    const cpu = protectedMachine();
    prepareTss2(cpu);
    cpu.w16(TSS2 + 0x54, Sel.Code0 | 3); // DS: RPL 3 > DPL 0 at CPL 0... readable code, nonconforming
    expect(faultOf(cpu, () => farJump(cpu, Sel.Tss2, 0, true))).toEqual([Vec.TS, 0x08]);
    expect([cpu.trSel, cpu.instrEip, cpu.instrEsp]).toEqual([Sel.Tss2, 0x6400, 0xb000]);
    const c2 = protectedMachine();
    prepareTss2(c2);
    c2.w16(TSS2 + 0x4c, Sel.Data0);
    expect(faultOf(c2, () => farJump(c2, Sel.Tss2, 0, true))).toEqual([Vec.TS, 0x10]);
  });
});
