import { describe, expect, it } from "vitest";
import { NASM, asm, makeCpu, runAsm } from "./setup.ts";
import { Stop } from "../../emulator/cpu/cpu.ts";

const t = NASM ? it : it.skip;

describe("core: data movement, ALU, jumps (flat 32-bit)", () => {
  t("a cycle budget with a fraction runs to its ceiling, as cycles are whole (a budget from the wall clock)", () => {
    const src = "mov ecx, 1000\n.l: dec ecx\njnz .l\nhlt";
    const a = makeCpu(asm(src));
    const b = makeCpu(asm(src));
    for (let i = 0; i < 50; i++) {
      a.run(a.clock.cycles + 2.5);
      b.run(b.clock.cycles + 3);
      expect([a.instructions, a.clock.cycles, a.regs[1]]).toEqual([b.instructions, b.clock.cycles, b.regs[1]]);
    }
    expect(a.instructions).toBeGreaterThan(50);
  });

  t("runs a loop and halts", () => {
    const { cpu, stop, exception } = runAsm(`
      mov ecx, 100
      xor eax, eax
    l: add eax, ecx
      dec ecx
      jnz l
      mov [0x2000], eax
      mov ebx, [0x2000]
      hlt`);
    expect(exception).toBe(-1);
    expect(stop).toBe(Stop.Halted);
    expect(cpu.regs[0]).toBe(5050);
    expect(cpu.regs[3]).toBe(5050);
  });
  t("call/ret, push/pop, lea, movzx/movsx", () => {
    const { cpu } = runAsm(`
      mov esp, 0x8000
      push dword 0x12345678
      call f
      pop edx
      movzx esi, byte [d]
      movsx edi, word [d]
      lea ebp, [eax + ebx*4 + 8]
      hlt
    f: mov eax, 3
       mov ebx, 5
       ret
    d: dw 0x80f0`);
    expect(cpu.regs[2]).toBe(0x12345678);
    expect(cpu.regs[6]).toBe(0xf0);
    expect(cpu.regs[7]).toBe(0xffff80f0 | 0);
    expect(cpu.regs[5]).toBe(3 + 20 + 8);
    expect(cpu.regs[4]).toBe(0x8000);
  });
});
