// The system mechanics driven by the real core: machine code that IRETs from
// ring 0 to ring 3, makes a system call through INT 0x80 (DPL-3 interrupt
// gate, TSS stack switch), returns, then executes HLT at ring 3, which the core
// turns into #GP(0), delivered to a ring-0 handler that halts.
import { describe, expect, it } from "vitest";
import { CPU, Stop, S, R } from "../../emulator/cpu/cpu.ts";
import { PhysicalMemory } from "../../emulator/memory/physmem.ts";
import { IoPorts } from "../../emulator/io/ports.ts";
import { Clock } from "../../emulator/machine/clock.ts";
import { setupProtected, setIdt, Sel, GateAcc, STACK0, STACK3, TSS, TSS2 } from "./double.ts";

function load(cpu: CPU, at: number, bytes: number[]): void {
  cpu.mem.writeBytes(at, Uint8Array.from(bytes));
}

/** A protected-mode CPU at ring 0 with the double's tables, #GP handled by `hlt` at 0x6100. */
function machine(): CPU {
  const cpu = new CPU(new PhysicalMemory(1 << 20), new IoPorts(), new Clock());
  cpu.reset();
  setupProtected(cpu);
  setIdt(cpu, 13, Sel.Code0, 0x6100, GateAcc.Int32);
  load(cpu, 0x6100, [0xf4]);
  return cpu;
}

const dwords = (cpu: CPU, at: number, n: number) =>
  Array.from({ length: n }, (_, i) => cpu.mem.read32(at + 4 * i) >>> 0);
const imm32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
/** push imm32; push imm32; ...; iretd: ring-0 code that IRETs with the given frame (pushed in order). */
const iretWith = (values: number[]) => [...values.flatMap((v) => [0x68, ...imm32(v)]), 0xcf];

describe("system mechanics under the real core", () => {
  it("ring 0 -> IRET to ring 3 -> INT 0x80 -> IRET -> HLT #GP(0) -> ring-0 handler", () => {
    const cpu = new CPU(new PhysicalMemory(1 << 20), new IoPorts(), new Clock());
    cpu.reset();
    setupProtected(cpu);
    setIdt(cpu, 0x80, Sel.Code0, 0x6000, GateAcc.Int32User);
    setIdt(cpu, 13, Sel.Code0, 0x6100, GateAcc.Int32);
    // ring 0 at 0x7000: push 0x23; push 0x7f00; push 0x202; push 0x1b; push 0x7100; iretd
    load(cpu, 0x7000, [0x6a, 0x23, 0x68, 0x00, 0x7f, 0, 0, 0x68, 0x02, 0x02, 0, 0, 0x6a, 0x1b, 0x68, 0x00, 0x71, 0, 0, 0xcf]);
    // ring 3 at 0x7100: mov eax, 0x1234; int 0x80; mov ebx, eax; hlt
    load(cpu, 0x7100, [0xb8, 0x34, 0x12, 0, 0, 0xcd, 0x80, 0x89, 0xc3, 0xf4]);
    // INT 0x80 handler: add eax, 1; iretd.  #GP handler: hlt
    load(cpu, 0x6000, [0x83, 0xc0, 0x01, 0xcf]);
    load(cpu, 0x6100, [0xf4]);
    cpu.eip = 0x7000;
    cpu.onModeChange();
    const stop = cpu.run(1_000_000);
    expect(stop).toBe(Stop.Halted);
    expect(cpu.regs[R.EBX]).toBe(0x1235);
    expect([cpu.cpl, cpu.segSel[S.CS], cpu.eip]).toEqual([0, Sel.Code0, 0x6101]);
    expect(cpu.regs[R.ESP] >>> 0).toBe(STACK0 - 24);
    const frame = [0, 4, 8, 12, 16, 20].map((o) => cpu.mem.read32(STACK0 - 24 + o) >>> 0);
    expect(frame).toEqual([0, 0x7109, 0x1b, 0x202, 0x7f00, 0x23]);
  });

  it("a call gate from ring 3 copies two parameters to the ring-0 stack; RETF 8 returns to ring 3", () => {
    const cpu = machine();
    load(cpu, 0x7000, iretWith([0x23, STACK3, 0x2, 0x1b, 0x7100]));
    // ring 3: push 0x22222222; push 0x11111111; call 0x43:0; hlt
    load(cpu, 0x7100, [0x68, ...imm32(0x22222222), 0x68, ...imm32(0x11111111), 0x9a, 0, 0, 0, 0, 0x43, 0, 0xf4]);
    // gate target (ring 0): mov eax, [esp+8]; mov ebx, [esp+12]; retf 8
    load(cpu, 0x5000, [0x8b, 0x44, 0x24, 0x08, 0x8b, 0x5c, 0x24, 0x0c, 0xca, 0x08, 0x00]);
    cpu.eip = 0x7000;
    expect(cpu.run(1_000_000)).toBe(Stop.Halted);
    expect([cpu.regs[R.EAX] >>> 0, cpu.regs[R.EBX] >>> 0]).toEqual([0x11111111, 0x22222222]);
    // The #GP from the ring-3 hlt (at 0x7111) shows the restored ring-3 stack: both parameters released.
    expect(dwords(cpu, STACK0 - 24, 6)).toEqual([0, 0x7111, 0x1b, 0x2, STACK3, 0x23]);
  });

  it("CALL through a task gate runs the other task; its IRET returns through the back link", () => {
    const cpu = machine();
    const w32 = (a: number, v: number) => cpu.mem.write32(a, v);
    w32(TSS2 + 0x20, 0x6400);
    w32(TSS2 + 0x24, 2);
    w32(TSS2 + 0x38, 0xb000);
    cpu.mem.write16(TSS2 + 0x4c, Sel.Code0);
    for (const off of [0x48, 0x50, 0x54, 0x58, 0x5c]) cpu.mem.write16(TSS2 + off, Sel.Data0);
    // ring 0: mov eax, 0x55; call 0x53:0; hlt      task 2: mov eax, 0x77; iretd
    load(cpu, 0x7000, [0xb8, ...imm32(0x55), 0x9a, 0, 0, 0, 0, 0x53, 0, 0xf4]);
    load(cpu, 0x6400, [0xb8, ...imm32(0x77), 0xcf]);
    cpu.eip = 0x7000;
    expect(cpu.run(1_000_000)).toBe(Stop.Halted);
    expect([cpu.trSel, cpu.eip, cpu.regs[R.EAX]]).toEqual([Sel.Tss, 0x700d, 0x55]);
    expect([cpu.mem.read32(TSS2 + 0x28), cpu.mem.read32(TSS2 + 0x20), cpu.mem.read16(TSS2)]).toEqual([0x77, 0x6406, Sel.Tss]);
    expect(cpu.mem.read32(TSS + 0x20)).toBe(0x700c); // the caller's EIP saved at the switch
  });

  it("IRETD into v86 mode, INT 0x80 to ring 0 and back, then HLT in v86 raises #GP(0) with the v86 frame", () => {
    const cpu = machine();
    setIdt(cpu, 0x80, Sel.Code0, 0x6000, GateAcc.Int32User);
    load(cpu, 0x6000, [0x83, 0xc0, 0x01, 0xcf]); // add eax, 1; iretd
    // gs fs ds es ss esp eflags cs eip, pushed in that order
    load(cpu, 0x7000, iretWith([0, 0, 0x5000, 0x4000, 0x3000, 0xfff0, 0x23002, 0x2000, 0]));
    load(cpu, 0x20000, [0xb8, 0x34, 0x12, 0xcd, 0x80, 0xf4]); // mov ax, 0x1234; int 0x80; hlt
    cpu.eip = 0x7000;
    expect(cpu.run(1_000_000)).toBe(Stop.Halted);
    expect(cpu.regs[R.EAX]).toBe(0x1235);
    expect([cpu.cpl, cpu.eip]).toEqual([0, 0x6101]);
    expect(dwords(cpu, STACK0 - 40, 10)).toEqual([0, 5, 0x2000, 0x23002, 0xfff0, 0x3000, 0x4000, 0x5000, 0, 0]);
    expect([cpu.segSel[S.DS], cpu.segAttr[S.DS]]).toEqual([0, 0]);
  });

  it("an exception with no usable IDT escalates to a triple fault: run() returns Stop.TripleFault", () => {
    const cpu = machine();
    let resets = 0;
    cpu.onTripleFault = () => { resets++; };
    cpu.idtLimit = 0;
    load(cpu, 0x7000, [0x0f, 0x0b]); // ud2
    cpu.eip = 0x7000;
    expect(cpu.run(1_000_000)).toBe(Stop.TripleFault);
    expect([resets, cpu.shutdown]).toEqual([1, true]);
  });
});
