// BCD adjust (DAA DAS AAA AAS AAM AAD), bit instructions (BT BTS BTR BTC, BSF BSR),
// BSWAP, MOVZX/MOVSX, CMPXCHG, XADD, CBW/CWDE/CWD/CDQ, LAHF/SAHF, XLAT.
import { describe, expect, it } from "vitest";
import { NASM, runAsm } from "./setup.ts";

const t = NASM ? it : it.skip;
const CF = 1, ZF = 0x40, AF = 0x10;

describe("BCD", () => {
  t("DAA/DAS", () => {
    let r = runAsm("mov al, 0x79\nadd al, 0x35\ndaa\nhlt"); // 79 + 35 = 114
    expect(r.cpu.reg8[0]).toBe(0x14);
    expect(r.cpu.getEflags() & CF).toBe(CF);
    r = runAsm("mov al, 0x35\nsub al, 0x47\ndas\nhlt"); // 35 - 47 = -12 -> 88 borrow
    expect(r.cpu.reg8[0]).toBe(0x88);
    expect(r.cpu.getEflags() & CF).toBe(CF);
  });
  t("AAA/AAS/AAM/AAD", () => {
    let r = runAsm("mov ax, 0x0009\nadd al, 5\naaa\nhlt");
    expect(r.cpu.reg16[0]).toBe(0x0104);
    expect(r.cpu.getEflags() & (CF | AF)).toBe(CF | AF);
    r = runAsm("mov ax, 0x0203\nsub al, 5\naas\nhlt");
    expect(r.cpu.reg16[0]).toBe(0x0108);
    r = runAsm("mov al, 79\naam\nhlt");
    expect(r.cpu.reg16[0]).toBe(0x0709);
    r = runAsm("mov ax, 0x0709\naad\nhlt");
    expect(r.cpu.reg16[0]).toBe(79);
    r = runAsm("mov ax, 0x0102\naad 16\nhlt");
    expect(r.cpu.reg16[0]).toBe(0x12);
  });
  t("AAM 0 raises #DE", () => {
    const r = runAsm("mov al, 5\naam 0\nhlt");
    expect(r.exception).toBe(0);
  });
});

describe("bit instructions", () => {
  t("BT/BTS/BTR/BTC on registers and memory with large offsets", () => {
    const { cpu } = runAsm(`
      mov dword [0x3000], 0
      mov dword [0x3004], 0
      mov eax, 37
      bts [0x3000], eax     ; bit 5 of the dword at 0x3004
      setc bl
      bts dword [0x3004], 5
      setc bh
      mov ecx, -1
      btr [0x3008], ecx     ; bit 31 of the dword at 0x3004... offset -1 -> 0x3004 bit 31
      mov edx, 0x10
      btc edx, 4
      bt edx, 36            ; immediate masked to 4
      setc cl
      mov esi, [0x3004]
      hlt`);
    expect(cpu.reg8[12]).toBe(0);
    expect(cpu.reg8[13]).toBe(1);
    expect(cpu.regs[2]).toBe(0);
    expect(cpu.reg8[4]).toBe(0);
    expect(cpu.regs[6]).toBe(0x20);
  });
  t("BSF/BSR; zero source sets ZF and keeps the destination", () => {
    const { cpu } = runAsm(`
      mov eax, 0x00f00000
      bsf ebx, eax
      bsr ecx, eax
      mov edx, 1234
      xor esi, esi
      bsf edx, esi
      pushfd
      pop edi
      hlt`);
    expect(cpu.regs[3]).toBe(20);
    expect(cpu.regs[1]).toBe(23);
    expect(cpu.regs[2]).toBe(1234);
    expect(cpu.regs[7] & ZF).toBe(ZF);
  });
  t("BSWAP, MOVZX, MOVSX, CBW/CWDE/CWD/CDQ", () => {
    const { cpu } = runAsm(`
      mov eax, 0x11223344
      bswap eax
      mov ebx, eax
      mov ecx, 0xff80
      movsx edx, cl
      movzx esi, cx
      movsx di, cl
      mov eax, 0x8000
      cwde
      cdq
      mov ebp, edx
      hlt`);
    expect(cpu.regs[3]).toBe(0x44332211);
    expect(cpu.regs[2]).toBe(-1);
    expect(cpu.regs[6]).toBe(0xff80);
    expect(cpu.reg16[14]).toBe(0xff80);
    expect(cpu.regs[0]).toBe(0xffff8000 | 0);
    expect(cpu.regs[5]).toBe(-1);
  });
  t("CMPXCHG and XADD", () => {
    const { cpu } = runAsm(`
      mov dword [0x3000], 5
      mov eax, 5
      mov ecx, 9
      lock cmpxchg [0x3000], ecx   ; equal: [0x3000] = 9, ZF=1
      setz bl
      mov eax, 1
      cmpxchg [0x3000], ecx        ; not equal: eax = 9, ZF=0
      setz bh
      mov edx, 10
      lock xadd [0x3000], edx      ; [0x3000] = 19, edx = 9
      mov esi, [0x3000]
      hlt`);
    expect(cpu.reg8[12]).toBe(1);
    expect(cpu.reg8[13]).toBe(0);
    expect(cpu.regs[0]).toBe(9);
    expect(cpu.regs[2]).toBe(9);
    expect(cpu.regs[6]).toBe(19);
  });
  t("LAHF/SAHF, XLAT, SALC-free CMC/CLC/STC", () => {
    const { cpu } = runAsm(`
      mov ah, 0xd5
      sahf
      lahf
      mov bl, ah
      cmc
      setc bh
      mov ebx, table
      mov al, 2
      xlatb
      hlt
    table: db 10, 20, 30`);
    expect(cpu.regs[0] & 0xff).toBe(30);
  });
});
