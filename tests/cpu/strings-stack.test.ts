// String instructions with REP prefixes (direction flag, REPE/REPNE termination,
// restart after a page fault in the middle), stack instructions (PUSHA/POPA,
// ENTER/LEAVE, POP r/m with ESP), and 16-bit code (real mode addressing, prefixes).
import { describe, expect, it } from "vitest";
import { NASM, asm, makeCpu, run, runAsm } from "./setup.ts";
import { CR0 } from "../../emulator/cpu/cpu.ts";

const t = NASM ? it : it.skip;

describe("string instructions", () => {
  t("REP MOVSD/STOSB, STD direction, LODS", () => {
    const { cpu } = runAsm(`
      mov edi, 0x3000
      mov al, 0xab
      mov ecx, 10
      rep stosb
      mov esi, 0x3000
      mov edi, 0x4000
      mov ecx, 2
      rep movsd
      std
      mov esi, 0x3009
      lodsb
      cld
      mov ebx, [0x4004]
      hlt`);
    expect(cpu.regs[1]).toBe(0);
    expect(cpu.regs[7]).toBe(0x4008);
    expect(cpu.regs[3] >>> 0).toBe(0xabababab);
    expect(cpu.regs[6]).toBe(0x3008);
    expect(cpu.reg8[0]).toBe(0xab);
  });
  t("REPNE SCASB finds a byte; REPE CMPSB stops at a difference", () => {
    const { cpu } = runAsm(`
      mov edi, s1
      mov al, 'x'
      mov ecx, 100
      repne scasb
      mov ebx, ecx
      mov esi, s1
      mov edi, s2
      mov ecx, 5
      repe cmpsb
      hlt
    s1: db "abcxdef"
    s2: db "abqxx"`);
    expect(cpu.regs[3]).toBe(96);
    expect(cpu.regs[1]).toBe(2);
  });
  t("a fault in the middle of REP MOVSB restarts with the remaining count", () => {
    const cpu = makeCpu(asm("mov esi, 0x3ff0\nmov edi, 0x5000\nmov ecx, 64\nrep movsb\nhlt"));
    const PD = 0x10000, PT = 0x11000;
    cpu.mem.write32(PD, PT | 3);
    for (let i = 0; i < 1024; i++) cpu.mem.write32(PT + i * 4, (i << 12) | 3);
    cpu.mem.write32(PT + 4 * 4, 0); // page 0x4000 not present
    cpu.cr3 = PD;
    cpu.cr0 |= CR0.PG;
    cpu.flushTlb();
    for (let i = 0; i < 16; i++) cpu.mem.write8(0x3ff0 + i, i + 1);
    run(cpu);
    expect(cpu.lastException).toBe(14);
    expect(cpu.cr2).toBe(0x4000);
    expect(cpu.regs[1]).toBe(48);
    expect(cpu.regs[6]).toBe(0x4000);
    expect(cpu.mem.read8(0x500f)).toBe(16);
    expect(cpu.eip).toBe(0x1000 + 15); // at the REP MOVSB
    // map it and continue: the instruction resumes
    cpu.mem.write32(PT + 4 * 4, 0x4000 | 3);
    run(cpu);
    expect(cpu.lastException).toBe(-1);
    expect(cpu.regs[1]).toBe(0);
    expect(cpu.regs[7]).toBe(0x5040);
  });
});

describe("stack", () => {
  t("PUSHA/POPA, ENTER/LEAVE, POP [esp]", () => {
    const { cpu } = runAsm(`
      mov esp, 0x8000
      mov eax, 1
      mov ebx, 2
      mov ebp, 3
      pusha
      xor eax, eax
      xor ebx, ebx
      popa
      mov esi, esp
      push ebp
      mov ebp, esp
      enter 16, 2
      mov edi, esp
      leave
      pop ebp
      push dword 0x55
      pop dword [esp - 4]
      mov ecx, [esp - 4]
      hlt`);
    expect(cpu.regs[0]).toBe(1);
    expect(cpu.regs[3]).toBe(2);
    expect(cpu.regs[5]).toBe(3);
    expect(cpu.regs[6]).toBe(0x8000);
    expect(cpu.regs[7]).toBe(0x8000 - 4 - 4 - 4 - 4 - 16);
    expect(cpu.regs[4]).toBe(0x8000);
    expect(cpu.regs[1]).toBe(0x55);
  });
});

describe("16-bit code", () => {
  t("real mode: 16-bit addressing, 66/67 prefixes, LOOP, segment override", () => {
    const cpu = makeCpu(
      asm(`
      mov bx, 0x3000
      mov si, 4
      mov word [bx+si], 0x1234
      mov ax, [bx+si]
      mov ecx, 0x12345678
      mov edx, ecx
      mov [0x3010], ecx
      mov edi, [0x3010]
      mov cx, 3
      xor dx, dx
    l: add dx, 2
      loop l
      mov byte [es:0x3020], 7
      mov bp, 0x3020
      mov al, [bp]
      hlt`, 16, 0x1000),
      { real: true },
    );
    const r = run(cpu);
    expect(r.exception).toBe(-1);
    expect(cpu.regs[7]).toBe(0x12345678);
    expect(cpu.reg16[4]).toBe(6);
    expect(cpu.reg8[0]).toBe(7);
    expect(cpu.reg8[1]).toBe(0x12);
  });
});

describe("control transfers through system.ts (real mode)", () => {
  t("INT n / IRET, far JMP/CALL/RETF, MOV/POP to segment registers, LDS", () => {
    const cpu = makeCpu(
      asm(`
      mov ax, 0x0200
      mov ds, ax            ; ds base 0x2000
      push ax
      pop es
      mov word [0x10], 0x1234
      mov word [0x12], 0x0300
      lds si, [0x10]        ; ds = 0x300, si = 0x1234
      mov bx, ds
      int 0x40
      call 0x0000:far_fn
      jmp 0x0000:done
    far_fn:
      mov dx, 0x77
      retf
    done:
      hlt`, 16, 0x1000),
      { real: true },
    );
    cpu.mem.writeBytes(0x5000, asm("mov cx, 0x55\niret", 16, 0x5000));
    cpu.mem.write16(0x40 * 4, 0x5000);
    cpu.mem.write16(0x40 * 4 + 2, 0);
    const r = run(cpu);
    expect(r.exception).toBe(-1);
    expect(cpu.reg16[12]).toBe(0x1234);
    expect(cpu.reg16[6]).toBe(0x300);
    expect(cpu.segBase[0]).toBe(0x2000);
    expect(cpu.reg16[2]).toBe(0x55);
    expect(cpu.reg16[4]).toBe(0x77);
    expect(cpu.regs[4]).toBe(0xfff0);
  });
});
