// Shifts and rotates (group 2) and SHLD/SHRD: masked counts, count 0 leaves flags,
// CF/OF as hardware computes them.
import { describe, expect, it } from "vitest";
import { NASM, runAsm, FLAGS_MASK } from "./setup.ts";

const t = NASM ? it : it.skip;
const CF = 1, PF = 4, ZF = 0x40, SF = 0x80, OF = 0x800;

function sh(body: string): [number, number] {
  const { cpu, exception } = runAsm(`${body}\nhlt`);
  expect(exception).toBe(-1);
  return [cpu.regs[0], cpu.getEflags() & FLAGS_MASK & ~0x10]; // AF undefined for shifts
}

describe("shifts and rotates", () => {
  t("count 0 (after masking) leaves flags and value", () => {
    expect(sh("mov eax, 0x80000000\nadd eax, eax\nmov cl, 32\nshl eax, cl")).toEqual([0, CF | ZF | PF | OF]);
    expect(sh("stc\nmov eax, 5\nmov cl, 0\nrol eax, cl")).toEqual([5, CF]);
  });
  t("SHL: CF is the last bit out, OF = MSB xor CF", () => {
    expect(sh("mov eax, 0x40000000\nshl eax, 1")).toEqual([0x80000000 | 0, SF | OF | PF]);
    expect(sh("mov eax, 0xc0000000\nshl eax, 1")).toEqual([0x80000000 | 0, CF | SF | PF]);
    expect(sh("mov eax, 0x81\nshl al, 8")).toEqual([0, CF | ZF | PF | OF]);
    expect(sh("mov eax, 0x81\nshl al, 9")).toEqual([0, ZF | PF]);
  });
  t("SHR and SAR", () => {
    expect(sh("mov eax, 0x80000001\nshr eax, 1")).toEqual([0x40000000, CF | OF | PF]);
    expect(sh("mov eax, 0x80000001\nsar eax, 1")).toEqual([0xc0000000 | 0, CF | SF | PF]);
    expect(sh("mov eax, 0x80\nsar al, 10")).toEqual([0xff, CF | SF | PF]);
    expect(sh("mov eax, 0x8000\nshr ax, 16")).toEqual([0, CF | ZF | PF]);
  });
  t("ROL/ROR/RCL/RCR", () => {
    expect(sh("mov eax, 0x80000001\nrol eax, 1")).toEqual([3, CF | OF]);
    expect(sh("mov eax, 0x80000001\nror eax, 1")).toEqual([0xc0000000 | 0, CF]);
    expect(sh("clc\nmov eax, 0x80\nrcl al, 1")).toEqual([0, CF | OF]);
    expect(sh("stc\nmov eax, 0x01\nrcr al, 1")).toEqual([0x80, CF | OF]);
    expect(sh("stc\nmov eax, 0x12\nrcl al, 9")).toEqual([0x12, CF]); // 9 mod 9 = 0: unchanged
    expect(sh("mov eax, 0x81\nrol al, 8")).toEqual([0x81, CF]); // flags from the unchanged value
  });
  t("SHLD/SHRD", () => {
    expect(sh("mov eax, 0x12345678\nmov ebx, 0x9abcdef0\nshld eax, ebx, 8")).toEqual([0x3456789a, PF]);
    expect(sh("mov eax, 0x12345678\nmov ebx, 0x9abcdef0\nshrd eax, ebx, 4")).toEqual([0x01234567, CF]);
    expect(sh("mov eax, 0x1234\nmov ebx, 0xabcd\nmov cl, 4\nshld ax, bx, cl")).toEqual([0x234a, CF | OF]); // as the host CPU gives
    expect(sh("stc\nmov eax, 7\nmov cl, 0\nshrd eax, ebx, cl")).toEqual([7, CF]);
  });
});
