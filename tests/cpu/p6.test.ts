// The P6 integer additions: CMOVcc (every condition, both sizes, the source
// read even when the condition is false), CMPXCHG8B (both outcomes, LOCK,
// #UD forms), the multi-byte NOP (no memory access), RDPMC (#GP at CPL 3
// unless CR4.PCE, counters beyond 1), UD2.
import { describe, expect, it } from "vitest";
import { NASM, asm, makeCpu, run, runAsm } from "./setup.ts";
import { CR4 } from "../../emulator/cpu/cpu.ts";

const t = NASM ? it : it.skip;
const CC = ["o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"];

describe("P6 integer instructions", () => {
  t("CMOVcc moves exactly when Jcc would jump, for every condition and flag pattern", () => {
    // Flag patterns from CMP of these pairs cover CF, ZF, SF, OF and PF combinations.
    const pairs = [[1, 2], [2, 1], [5, 5], [0x80000000, 1], [0x7fffffff, 0xffffffff], [0, 0x80000000], [3, 0]];
    for (const [a, b] of pairs) {
      for (let c = 0; c < 16; c++) {
        const src = `mov eax, ${a}\nmov ebx, ${b}\nmov ecx, 0x11111111\nmov edx, 0x22222222\ncmp eax, ebx\n` +
          `cmov${CC[c]} ecx, edx\nmov esi, 0\nj${CC[c]} taken\nhlt\ntaken: mov esi, 1\nhlt`;
        const r = runAsm(src);
        expect(r.cpu.regs[1] >>> 0, `${a} ${b} cmov${CC[c]}`).toBe(r.cpu.regs[6] ? 0x22222222 : 0x11111111);
      }
    }
  });
  t("CMOVcc: 16-bit form keeps the upper half; a memory source is read, and may fault, whatever the condition", () => {
    let r = runAsm("mov ecx, 0xaaaabbbb\nmov edx, 0x12345678\nxor eax, eax\ncmovz cx, dx\nhlt");
    expect(r.cpu.regs[1] >>> 0).toBe(0xaaaa5678);
    r = runAsm("mov dword [0x3000], 0x55\nmov ecx, 7\nxor eax, eax\ncmovnz ecx, [0x3000]\ncmovz edx, [0x3000]\nhlt");
    expect(r.cpu.regs[1]).toBe(7);
    expect(r.cpu.regs[2]).toBe(0x55);
    // The condition is false, but the source lies past the DS limit: #GP.
    const cpu = makeCpu(asm("xor eax, eax\ncmovnz ecx, [0xfffffff0]\nhlt"));
    cpu.segLimit[3] = 0xffff;
    expect(run(cpu).exception).toBe(13);
  });
  t("CMPXCHG8B: equal stores ECX:EBX and sets ZF; unequal loads EDX:EAX and clears ZF", () => {
    const pre = "mov dword [0x3000], 0x11223344\nmov dword [0x3004], 0x55667788\nmov ebx, 0xaaaa\nmov ecx, 0xbbbb\n";
    let r = runAsm(pre + "mov eax, 0x11223344\nmov edx, 0x55667788\nlock cmpxchg8b [0x3000]\nsetz bl\nhlt");
    expect(r.cpu.mem.read32(0x3000)).toBe(0xaaaa);
    expect(r.cpu.mem.read32(0x3004)).toBe(0xbbbb);
    expect(r.cpu.regs[3] & 0xff).toBe(1);
    r = runAsm(pre + "mov eax, 0x11223344\nmov edx, 0\ncmpxchg8b [0x3000]\nsetz bl\nhlt");
    expect(r.cpu.regs[0] >>> 0).toBe(0x11223344);
    expect(r.cpu.regs[2] >>> 0).toBe(0x55667788);
    expect(r.cpu.mem.read32(0x3004)).toBe(0x55667788);
    expect(r.cpu.regs[3] & 0xff).toBe(0);
    // A register operand, or another reg field of 0F C7, is #UD.
    expect(runAsm("db 0x0f, 0xc7, 0xc8\nhlt").exception).toBe(6);
    expect(runAsm("db 0x0f, 0xc7, 0x00\nhlt").exception).toBe(6);
  });
  t("NOP Ev decodes its operand but never touches memory; UD2 is #UD", () => {
    const cpu = makeCpu(asm("nop dword [0xfffffff0]\ndb 0x0f, 0x1f, 0x84, 0x00, 0, 0, 0, 0\nmov eax, 1\nhlt"));
    cpu.segLimit[3] = 0xffff; // a real access would be #GP
    const r = run(cpu);
    expect(r.exception).toBe(-1);
    expect(cpu.regs[0]).toBe(1);
    expect(runAsm("ud2\nhlt").exception).toBe(6);
  });
  t("RDPMC: counters 0 and 1 read 0 at CPL 0; #GP for counter 2 and at CPL 3 without CR4.PCE", () => {
    const r = runAsm("mov eax, -1\nmov edx, -1\nmov ecx, 1\nrdpmc\nhlt");
    expect(r.exception).toBe(-1);
    expect([r.cpu.regs[0], r.cpu.regs[2]]).toEqual([0, 0]);
    expect(runAsm("mov ecx, 2\nrdpmc\nhlt").exception).toBe(13);
    // At CPL 3 the program ends in UD2 (#UD) if RDPMC passed, in #GP if it did not.
    for (const pce of [false, true]) {
      const cpu = makeCpu(asm("xor ecx, ecx\nrdpmc\nud2"));
      if (pce) cpu.cr4 |= CR4.PCE;
      cpu.cpl = 3;
      cpu.onModeChange();
      expect(run(cpu).exception, `PCE ${pce}`).toBe(pce ? 6 : 13);
    }
  });
});
