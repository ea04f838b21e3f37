// MUL/IMUL (all forms, CF=OF) and DIV/IDIV with #DE on zero divisors and overflow.
import { describe, expect, it } from "vitest";
import { NASM, runAsm } from "./setup.ts";

const t = NASM ? it : it.skip;
const CF = 1, OF = 0x800;

describe("multiply and divide", () => {
  t("MUL 32 gives EDX:EAX and CF=OF=1 when EDX != 0", () => {
    const { cpu } = runAsm("mov eax, 0xffffffff\nmov ebx, 0xffffffff\nmul ebx\nhlt");
    expect(cpu.regs[0]).toBe(1);
    expect(cpu.regs[2] >>> 0).toBe(0xfffffffe);
    expect(cpu.getEflags() & (CF | OF)).toBe(CF | OF);
  });
  t("IMUL one-, two- and three-operand forms", () => {
    const { cpu } = runAsm(`
      mov eax, -3
      mov ebx, 7
      imul ebx            ; edx:eax = -21
      mov esi, edx
      mov ecx, 0x10000
      imul ecx, ecx       ; overflow: truncated to 0, CF=OF=1
      pushfd
      pop edi
      imul ebp, ebx, -2   ; -14
      mov ax, 300
      mov dx, 300
      imul dx             ; 90000 = 0x15f90
      hlt`);
    expect(cpu.regs[6]).toBe(-1);
    expect(cpu.regs[1]).toBe(0);
    expect(cpu.regs[7] & (CF | OF)).toBe(CF | OF);
    expect(cpu.regs[5]).toBe(-14);
    expect(cpu.reg16[0]).toBe(0x5f90);
    expect(cpu.reg16[4]).toBe(1);
  });
  t("MUL 8 and 16", () => {
    const { cpu } = runAsm("mov al, 200\nmov bl, 2\nmul bl\nmov cx, ax\nmov ax, 0x100\nmov dx, 0x100\nmul dx\nhlt");
    expect(cpu.reg16[2]).toBe(400);
    expect(cpu.reg16[0]).toBe(0);
    expect(cpu.reg16[4]).toBe(1);
  });
  t("DIV and IDIV", () => {
    const { cpu } = runAsm(`
      mov edx, 1
      mov eax, 0
      mov ebx, 3
      div ebx             ; 0x100000000 / 3
      mov esi, eax
      mov edi, edx
      mov eax, -7
      cdq
      mov ebx, 2
      idiv ebx            ; -3 rem -1
      mov ax, 1000
      mov bl, 7
      div bl              ; al=142 ah=6
      hlt`);
    expect(cpu.regs[6]).toBe(0x55555555);
    expect(cpu.regs[7]).toBe(1);
    expect(cpu.regs[2]).toBe(-1);
    expect(cpu.reg8[0]).toBe(142);
    expect(cpu.reg8[1]).toBe(6);
  });
  t("#DE on division by zero and on quotient overflow, registers untouched", () => {
    let r = runAsm("mov eax, 5\nxor ebx, ebx\ndiv ebx\nhlt");
    expect(r.exception).toBe(0);
    expect(r.cpu.regs[0]).toBe(5);
    expect(r.cpu.eip).toBe(0x1000 + 7);
    r = runAsm("mov edx, 3\nmov eax, 0\nmov ebx, 3\ndiv ebx\nhlt");
    expect(r.exception).toBe(0);
    r = runAsm("mov eax, 0x80000000\ncdq\nmov ebx, -1\nidiv ebx\nhlt");
    expect(r.exception).toBe(0);
    r = runAsm("mov ax, 0x8000\nmov bl, 0xff\nidiv bl\nhlt");
    expect(r.exception).toBe(0);
  });
});
