// ALU group: ADD OR ADC SBB AND SUB XOR CMP, INC DEC NEG NOT, TEST, in 8/16/32 bits,
// with every arithmetic flag checked against the Intel definitions.
import { describe, expect, it } from "vitest";
import { NASM, runAsm, FLAGS_MASK } from "./setup.ts";

const t = NASM ? it : it.skip;
const CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;

/** Runs `body`, returns [eax, flags]. */
function alu(body: string, pre = ""): [number, number] {
  const { cpu, exception } = runAsm(`${pre}\n${body}\nhlt`);
  expect(exception).toBe(-1);
  return [cpu.regs[0], cpu.getEflags() & FLAGS_MASK];
}

describe("ALU flags", () => {
  t("ADD 32: carry, zero, parity, aux", () => {
    expect(alu("mov eax, 0xffffffff\nadd eax, 1")).toEqual([0, CF | PF | AF | ZF]);
    expect(alu("mov eax, 0x7fffffff\nadd eax, 1")).toEqual([0x80000000 | 0, OF | SF | AF | PF]);
    expect(alu("mov eax, 1\nadd eax, 2")).toEqual([3, PF]);
  });
  t("ADD 8 and 16 leave the upper register bits", () => {
    expect(alu("mov eax, 0x123456ff\nadd al, 1")).toEqual([0x12345600, CF | PF | AF | ZF]);
    expect(alu("mov eax, 0x12348000\nadd ax, 0x8000")).toEqual([0x12340000, CF | PF | ZF | OF]);
  });
  t("ADC/SBB use the carry", () => {
    expect(alu("stc\nmov eax, 0xfffffffe\nadc eax, 1")).toEqual([0, CF | PF | AF | ZF]);
    expect(alu("stc\nmov eax, 0\nsbb eax, 0")).toEqual([-1, CF | PF | AF | SF]);
    expect(alu("clc\nmov eax, 5\nsbb eax, 5")).toEqual([0, PF | ZF]);
    expect(alu("stc\nmov al, 0x7f\nadc al, 0")).toEqual([0x80, OF | SF | AF]);
  });
  t("SUB/CMP borrow and overflow", () => {
    expect(alu("mov eax, 0\nsub eax, 1")).toEqual([-1, CF | PF | AF | SF]);
    expect(alu("mov eax, 0x80000000\ncmp eax, 1")).toEqual([0x80000000 | 0, OF | AF | PF]);
    expect(alu("mov eax, 3\ncmp eax, 3")).toEqual([3, ZF | PF]);
  });
  t("logic ops clear CF and OF", () => {
    expect(alu("stc\nmov eax, 0xf0\nand eax, 0x0f")).toEqual([0, ZF | PF]);
    expect(alu("mov eax, 0x80000000\nor eax, 1")).toEqual([0x80000001 | 0, SF]);
    expect(alu("mov eax, 0xff\nxor al, 0x7f")).toEqual([0x80, SF]);
    expect(alu("mov eax, 7\ntest eax, 8")).toEqual([7, ZF | PF]);
  });
  t("INC/DEC keep CF", () => {
    expect(alu("stc\nmov eax, 0x7fffffff\ninc eax")).toEqual([0x80000000 | 0, CF | OF | SF | AF | PF]);
    expect(alu("clc\nmov eax, 1\ndec eax")).toEqual([0, ZF | PF]);
    expect(alu("stc\nmov eax, 0x80\ndec al")).toEqual([0x7f, CF | OF | AF]);
  });
  t("NEG sets CF unless zero; NOT changes no flags", () => {
    expect(alu("mov eax, 5\nneg eax")).toEqual([-5, CF | SF | AF]); // 0xfb: odd parity
    expect(alu("mov eax, 0\nneg eax")).toEqual([0, ZF | PF]);
    expect(alu("mov eax, 0x80\nneg al")).toEqual([0x80, CF | OF | SF]);
    expect(alu("stc\nmov eax, 0x0f0f0f0f\nnot eax")).toEqual([0xf0f0f0f0 | 0, CF]);
  });
  t("memory destinations and sign-extended immediates", () => {
    const { cpu } = runAsm(`
      mov dword [0x3000], 10
      add dword [0x3000], byte -3
      sub word [0x3000], 2
      or byte [0x3001], 0x80
      mov eax, [0x3000]
      mov ebx, 0x3000
      xchg [ebx], ecx
      hlt`);
    expect(cpu.regs[0]).toBe(0x8005);
    expect(cpu.regs[1]).toBe(0x8005);
  });
  t("Jcc/SETcc condition codes after CMP", () => {
    const { cpu } = runAsm(`
      mov eax, -1
      cmp eax, 1
      setl bl      ; -1 < 1 signed
      setb bh      ; 0xffffffff < 1 unsigned: no
      seta cl
      setg ch
      setnz dl
      setpe dh
      hlt`);
    expect(cpu.reg8[12]).toBe(1);
    expect(cpu.reg8[13]).toBe(0);
    expect(cpu.reg8[4]).toBe(1);
    expect(cpu.reg8[5]).toBe(0);
    expect(cpu.reg8[8]).toBe(1);
    expect(cpu.reg8[9]).toBe(0); // result 0xfffffffe: low byte has 7 ones, odd
  });
});
