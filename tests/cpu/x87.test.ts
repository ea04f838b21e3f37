// The x87 as part of the CPU: #NM (CR0.EM, CR0.TS, WAIT with MP), #MF at the next waiting
// instruction (SDM Vol. 1, 8.6), the non-waiting forms, the pointers FNSTENV stores, the
// 16-bit and real-mode environment layouts, faults that leave the FPU unchanged, and the
// kernel's save/restore API (emulator/cpu/fpu/state.ts). Values are checked bit for bit by
// tests/fpu/sequences.test.ts against the host's x87.
import { describe, expect, it } from "vitest";
import { NASM, asm, makeCpu, run, runAsm } from "./setup.ts";
import { CR0 } from "../../emulator/cpu/cpu.ts";
import { fpuSave, fpuRestore, fninit, statusWord, tagWord, FSAVE_SIZE } from "../../emulator/cpu/fpu/state.ts";

const t = NASM ? it : it.skip;

describe("x87 in the CPU", () => {
  t("reset state: CW 0040h, tags zero, TOP 0; FNINIT: CW 037Fh, tags empty", () => {
    const cpu = makeCpu(asm("hlt"));
    expect(cpu.fpu.env.cw).toBe(0x40);
    expect(tagWord(cpu.fpu)).toBe(0x5555);
    expect(statusWord(cpu.fpu)).toBe(0);
    expect(cpu.cr0 & CR0.ET).toBe(CR0.ET);
    fninit(cpu.fpu);
    expect(cpu.fpu.env.cw).toBe(0x37f);
    expect(tagWord(cpu.fpu)).toBe(0xffff);
  });
  t("#NM: EM or TS for every escape; WAIT only with TS and MP", () => {
    for (const [src, bits, v] of [
      ["fld1", CR0.EM, 7], ["fnstsw ax", CR0.TS, 7], ["fnclex", CR0.EM | CR0.MP, 7],
      ["wait", CR0.TS, -1], ["wait", CR0.EM, -1], ["wait", CR0.TS | CR0.MP, 7],
    ] as const) {
      const cpu = makeCpu(asm(`${src}\nhlt`));
      cpu.cr0 |= bits;
      expect(run(cpu).exception, `${src} cr0=${bits}`).toBe(v);
      if (v === 7) expect(cpu.lastExceptionEip).toBe(0x1000);
    }
  });
  t("#MF: an unmasked exception is taken at the next waiting instruction, not at non-waiting ones", () => {
    const pre = "fninit\nmov word [0x3000], 0x037b\nfldcw [0x3000]\nfldz\nfld1\nfdiv st0, st1\n"; // ZE unmasked
    let r = runAsm(`${pre}fnstsw ax\nfnstenv [0x3100]\nfnstcw [0x3200]\nfnsave [0x3300]\nhlt`);
    expect(r.exception).toBe(-1);
    expect(r.cpu.reg16[0] & 0x80ff).toBe(0x8084); // B, ES, ZE
    r = runAsm(`${pre}nop\nfld1\nhlt`);
    expect(r.exception).toBe(16);
    const at = 0x1000 + asm(`${pre}nop`).length;
    expect(r.cpu.lastExceptionEip).toBe(at);
    r = runAsm(`${pre}fwait\nhlt`);
    expect(r.exception).toBe(16);
    r = runAsm(`${pre}fnclex\nfwait\nfld1\nhlt`);
    expect(r.exception).toBe(-1);
    // A masked exception is not pending; unmasking it with FLDCW makes it pending (ES follows the masks).
    r = runAsm("fninit\nfldz\nfld1\nfdiv st0, st1\nmov word [0x3000], 0x037b\nfldcw [0x3000]\nfld1\nhlt");
    expect(r.exception).toBe(16);
    // CR0.NE = 0 is treated as NE = 1 (no external FERR# path).
    const cpu = makeCpu(asm(`${pre}fld1\nhlt`));
    cpu.cr0 &= ~CR0.NE;
    expect(run(cpu).exception).toBe(16);
  });
  t("FNSTENV: the last non-control instruction's CS:EIP, opcode and operand pointer", () => {
    const r = runAsm("fninit\nfld dword [0x3010]\nfnstcw [0x3000]\nfnstenv [0x3100]\nhlt");
    const m = r.cpu.mem;
    expect(m.read16(0x3100)).toBe(0x37f);
    expect(m.read32(0x310c)).toBe(0x1002); // FIP: the FLD after the 2-byte FNINIT
    expect(m.read16(0x3110)).toBe(0x08); // FCS
    expect(m.read16(0x3112)).toBe(0x105); // opcode D9 05: (D9 & 7) << 8 | ModRM
    expect(m.read32(0x3114)).toBe(0x3010); // FDP
    expect(m.read16(0x3118)).toBe(0x10); // FDS
    expect(m.read16(0x3108)).toBe(0x7fff); // tag word: ST(0) = R7, zero (01)
    expect(r.cpu.fpu.env.cw & 0x3f).toBe(0x3f); // FNSTENV masks all exceptions
  });
  t("16-bit FNSAVE/FRSTOR and real-mode FNSTENV layouts", () => {
    let r = runAsm("fninit\nfldpi\no16 fnsave [0x3000]\no16 frstor [0x3000]\nfld1\no16 fnstenv [0x3100]\nhlt");
    const m = r.cpu.mem;
    expect(m.read16(0x3000)).toBe(0x37f);
    expect(m.read16(0x3002)).toBe(0x3800); // TOP 7
    expect(m.read16(0x3004)).toBe(0x3fff);
    expect(m.read16(0x300e + 8)).toBe(0x4000); // ST(0) = pi at byte 14
    expect(m.read16(0x3102)).toBe(0x3000); // TOP 6 after FLD1
    expect(m.read16(0x3106)).toBe(r.cpu.fpu.fip & 0xffff);
    r = runAsm("fninit\nfld1\nfnstenv [0x300]\nhlt", { bits: 16, real: true });
    expect(r.exception).toBe(-1);
    expect(r.cpu.mem.read16(0x306)).toBe(0x1002); // 20-bit FIP, low 16 bits
    expect(r.cpu.mem.read16(0x308)).toBe(0x1e8); // FIP 19..16 = 0, opcode D9 E8
  });
  t("a faulting store or load leaves the FPU unchanged (restartable)", () => {
    const cpu = makeCpu(asm("fninit\nfld1\nfldpi\nfstp qword [0x7ffffc]\nhlt"), { ram: 8 << 20 });
    cpu.segLimit[3] = 0x7fffff; // DS limit: the 8-byte store crosses it
    expect(run(cpu).exception).toBe(13);
    expect(statusWord(cpu.fpu) >> 11 & 7).toBe(6);
    expect(tagWord(cpu.fpu)).toBe(0x0fff);
  });
  t("kernel API: fpuSave/fpuRestore round-trip a 108-byte FNSAVE image", () => {
    const r = runAsm("fninit\nfld1\nfldpi\nfnsave [0x3000]\nfrstor [0x3000]\nhlt");
    const img = new Uint8Array(FSAVE_SIZE);
    fpuSave(r.cpu.fpu, img, true);
    const guest = r.cpu.mem.ram.slice(0x3000, 0x3000 + FSAVE_SIZE);
    for (const o of [0, 4, 8, ...Array.from({ length: 80 }, (_, k) => 28 + k)]) expect(img[o], `byte ${o}`).toBe(guest[o]);
    fpuSave(r.cpu.fpu, img);
    expect(tagWord(r.cpu.fpu)).toBe(0xffff); // FNSAVE reinitialises
    fpuRestore(r.cpu.fpu, img);
    expect(statusWord(r.cpu.fpu) >> 11 & 7).toBe(6);
    expect(r.cpu.fpu.st[6 * 3 + 1] >>> 0).toBe(0xc90fdaa2);
  });
  t("FCOMI sets ZF PF CF; FCMOVcc reads them; #UD for undefined escapes", () => {
    const r = runAsm("fninit\nfld1\nfldz\nfcomi st0, st1\nsetc al\nsetz bl\nfcmovb st0, st1\nfstp dword [0x3000]\nhlt");
    expect(r.cpu.reg8[0]).toBe(1);
    expect(r.cpu.reg8[12]).toBe(0);
    expect(r.cpu.mem.read32(0x3000)).toBe(0x3f800000);
    for (const b of ["0xd9, 0xd1", "0xd9, 0x08", "0xdb, 0x08", "0xdd, 0xf0", "0xde, 0xd8", "0xdf, 0xe1"]) {
      expect(runAsm(`db ${b}\nhlt`).exception, b).toBe(6);
    }
  });
});
