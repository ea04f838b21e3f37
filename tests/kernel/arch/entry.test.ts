// The guest half of the kernel boundary on the real CPU: boot structures,
// an INT 0x80 from ring 3 through the stub into the hypercall with the right
// trap frame, a context switch by changing the stack pointer inside the
// hypercall, and IRET back to ring 3.

import { describe, expect, it } from "vitest";
import { PhysicalMemory } from "../../../emulator/memory/physmem.ts";
import { IoPorts } from "../../../emulator/io/ports.ts";
import { Clock } from "../../../emulator/machine/clock.ts";
import { CPU, Stop } from "../../../emulator/cpu/cpu.ts";
import { X86 } from "../../../kernel/arch/x86.ts";
import { Tf, TRAP_FRAME_USER_SIZE } from "../../../kernel/arch/trapframe.ts";
import { SWAPPER_PG_DIR, USER_CS, USER_DS, kpa, kva } from "../../../kernel/arch/layout.ts";

const PGD = 0x200000, PT = 0x201000, CODE = 0x202000, KSTACK_A = 0x203000, KSTACK_B = 0x204000;

function setup(onTrap: (frameVa: number) => void) {
  const mem = new PhysicalMemory(8 * 1024 * 1024);
  const io = new IoPorts();
  const cpu = new CPU(mem, io, new Clock());
  cpu.reset();
  const x86 = new X86(cpu);
  x86.boot(onTrap);
  // A user address space: kernel half from the master directory, one page of code at 0x400000.
  for (let i = 0; i < 1024; i++) mem.write32(PGD + i * 4, mem.read32(SWAPPER_PG_DIR + i * 4));
  mem.write32(PGD + 1 * 4, PT | 7);
  mem.write32(PT + 0, CODE | 7);
  // mov eax, 42 ; int 0x80 ; mov ebx, eax ; mov eax, 1 ; int 0x80 ; jmp $
  mem.writeBytes(CODE, Uint8Array.of(0xb8, 42, 0, 0, 0, 0xcd, 0x80, 0x89, 0xc3, 0xb8, 1, 0, 0, 0, 0xcd, 0x80, 0xeb, 0xfe));
  x86.loadCr3(PGD);
  return { mem, cpu, x86 };
}

/** Writes a ring-3 frame entering `eip` with `esp` at the top of a kernel stack page; returns its kernel address. */
function userFrame(mem: PhysicalMemory, stackPa: number, eip: number, esp: number, eax: number): number {
  const f = stackPa + 4096 - TRAP_FRAME_USER_SIZE;
  for (let o = 0; o < TRAP_FRAME_USER_SIZE; o += 4) mem.write32(f + o, 0);
  for (const o of [Tf.DS, Tf.ES, Tf.USER_SS]) mem.write32(f + o, USER_DS);
  mem.write32(f + Tf.CS, USER_CS);
  mem.write32(f + Tf.EIP, eip);
  mem.write32(f + Tf.USER_ESP, esp);
  mem.write32(f + Tf.EFLAGS, 0x202);
  mem.write32(f + Tf.EAX, eax);
  return kva(f);
}

describe("kernel entry stubs", () => {
  it("deliver INT 0x80 from ring 3 as a trap frame and return what the kernel put in EAX", () => {
    const seen: number[][] = [];
    const { mem, cpu, x86 } = setup((va) => {
      const f = kpa(va);
      seen.push([mem.read32(f + Tf.VECTOR), mem.read32(f + Tf.EAX), mem.read32(f + Tf.EBX), mem.read32(f + Tf.CS) & 0xffff,
        mem.read32(f + Tf.EIP) >>> 0, mem.read32(f + Tf.USER_SS) & 0xffff]);
      if (mem.read32(f + Tf.EAX) === 42) mem.write32(f + Tf.EAX, 99);
      else cpu.requestStop();
    });
    const frame = userFrame(mem, KSTACK_A, 0x400000, 0x400ff0, 0);
    x86.setEsp0(kva(KSTACK_A + 4096));
    x86.enterFrame(frame);
    expect(cpu.run(1_000_000)).toBe(Stop.Requested);
    expect(seen).toEqual([
      [0x80, 42, 0, USER_CS, 0x400007, USER_DS],
      [0x80, 1, 99, USER_CS, 0x400010, USER_DS],
    ]);
  });

  it("switch tasks by pointing the stub at another frame inside the hypercall", () => {
    const order: string[] = [];
    const { mem, cpu, x86 } = setup((va) => {
      const f = kpa(va);
      const eax = mem.read32(f + Tf.EAX), ebx = mem.read32(f + Tf.EBX);
      order.push(`${va === a ? "A" : va === b ? "B" : "?"}:${eax}:${ebx}`);
      if (order.length === 1) {
        x86.kernelSp = b;
        x86.setEsp0(kva(KSTACK_B + 4096));
      } else {
        cpu.requestStop();
      }
    });
    const a = userFrame(mem, KSTACK_A, 0x400000, 0x400ff0, 0);
    const b = userFrame(mem, KSTACK_B, 0x400007, 0x400ff0, 1234); // B resumes after the first INT with EAX=1234
    x86.setEsp0(kva(KSTACK_A + 4096));
    x86.enterFrame(a);
    expect(cpu.run(1_000_000)).toBe(Stop.Requested);
    // A traps with 42; B resumes with EAX 1234, copies it to EBX and traps with EAX 1.
    expect(order).toEqual(["A:42:0", "B:1:1234"]);
  });
});
