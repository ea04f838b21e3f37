// Control/debug registers, reset state, I/O permission bitmap.
import { describe, expect, it } from "vitest";
import { S, R, Vec, F, CR0, CR4 } from "../../emulator/cpu/cpu.ts";
import { writeCr, writeDr, resetCpu, ioPermitted, CPU_SIGNATURE } from "../../emulator/cpu/system.ts";
import { TestCpu, faultOf, protectedMachine, toRing3, IOMAP } from "./double.ts";

describe("writeCr", () => {
  it("CR0: PG without PE is #GP(0); ET stays set; PE/PG/WP changes flush the TLB", () => {
    const cpu = new TestCpu();
    cpu.cr0 = CR0.ET;
    expect(faultOf(cpu, () => writeCr(cpu, 0, CR0.PG))).toEqual([Vec.GP, 0]);
    expect(faultOf(cpu, () => writeCr(cpu, 0, CR0.PE | CR0.NW))).toEqual([Vec.GP, 0]);
    const flushes = cpu.tlbFlushes;
    writeCr(cpu, 0, CR0.PE);
    expect(cpu.cr0).toBe(CR0.PE | CR0.ET);
    expect(cpu.tlbFlushes).toBe(flushes + 1);
    writeCr(cpu, 0, CR0.PE | CR0.PG | CR0.TS);
    expect(cpu.cr0).toBe((CR0.PE | CR0.PG | CR0.TS | CR0.ET) >>> 0);
    expect(cpu.tlbFlushes).toBe(flushes + 2);
    writeCr(cpu, 0, CR0.PE | CR0.PG);
    expect(cpu.tlbFlushes).toBe(flushes + 2); // TS only: no flush
  });

  it("CR2, CR3 (flush), CR4 (486 bits only, PSE change flushes), invalid register #UD, CPL 3 #GP(0)", () => {
    const cpu = protectedMachine();
    writeCr(cpu, 2, 0xdeadbeef);
    expect(cpu.cr2).toBe(0xdeadbeef);
    const f = cpu.tlbFlushes;
    writeCr(cpu, 3, 0x12345fff);
    expect([cpu.cr3, cpu.tlbFlushes]).toEqual([0x12345018, f + 1]);
    writeCr(cpu, 4, CR4.PSE | CR4.DE);
    expect([cpu.cr4, cpu.tlbFlushes]).toEqual([CR4.PSE | CR4.DE, f + 2]);
    writeCr(cpu, 4, CR4.PSE);
    expect(cpu.tlbFlushes).toBe(f + 2);
    expect(faultOf(cpu, () => writeCr(cpu, 4, 1 << 5))).toEqual([Vec.GP, 0]); // PAE is not a 486 bit
    expect(faultOf(cpu, () => writeCr(cpu, 1, 0))).toEqual([Vec.UD, -1]);
    expect(faultOf(cpu, () => writeCr(cpu, 5, 0))).toEqual([Vec.UD, -1]);
    toRing3(cpu);
    expect(faultOf(cpu, () => writeCr(cpu, 3, 0))).toEqual([Vec.GP, 0]);
  });
});

describe("writeDr", () => {
  it("keeps DR6/DR7 fixed bits; DR4/DR5 alias DR6/DR7 unless CR4.DE", () => {
    const cpu = new TestCpu();
    writeDr(cpu, 0, 0x1000);
    writeDr(cpu, 6, 0);
    writeDr(cpu, 5, 0x0001);
    expect([cpu.dr[0], cpu.dr[6] >>> 0, cpu.dr[7]]).toEqual([0x1000, 0xffff0ff0, 0x401]);
    cpu.cr4 = CR4.DE;
    expect(faultOf(cpu, () => writeDr(cpu, 4, 0))).toEqual([Vec.UD, -1]);
  });
});

describe("resetCpu", () => {
  it("puts the CPU at F000:FFF0 in real mode with the documented register values", () => {
    const cpu = protectedMachine();
    cpu.halted = true;
    cpu.shutdown = true;
    cpu.cpl = 3;
    resetCpu(cpu);
    expect([cpu.segSel[S.CS], cpu.segBase[S.CS] >>> 0, cpu.segLimit[S.CS], cpu.eip]).toEqual([0xf000, 0xffff0000, 0xffff, 0xfff0]);
    expect([cpu.segSel[S.DS], cpu.segBase[S.DS], cpu.segLimit[S.SS]]).toEqual([0, 0, 0xffff]);
    expect([cpu.flags, cpu.cr0, cpu.regs[R.EDX], CPU_SIGNATURE >> 8]).toEqual([2, CR0.ET, CPU_SIGNATURE, 6]);
    expect([cpu.idtBase, cpu.idtLimit, cpu.gdtBase, cpu.gdtLimit, cpu.cpl]).toEqual([0, 0x3ff, 0, 0xffff, 0]);
    expect([cpu.halted, cpu.shutdown]).toEqual([false, false]);
  });
});

describe("ioPermitted", () => {
  it("allows everything in real mode and at CPL <= IOPL", () => {
    const real = new TestCpu();
    real.cr0 = CR0.ET;
    expect(ioPermitted(real, 0x60, 1)).toBe(true);
    const cpu = protectedMachine();
    expect(ioPermitted(cpu, 0x60, 1)).toBe(true);
    toRing3(cpu);
    cpu.flags = F.IOPL | 2;
    expect(ioPermitted(cpu, 0x60, 1)).toBe(true);
  });

  it("consults the TSS bitmap at CPL > IOPL and in v86 mode; bytes beyond the TSS limit deny", () => {
    const cpu = protectedMachine();
    toRing3(cpu);
    expect(ioPermitted(cpu, 0x3f8, 1)).toBe(true);
    expect(ioPermitted(cpu, 0x5f, 1)).toBe(true);
    expect(ioPermitted(cpu, 0x60, 1)).toBe(false);
    expect(ioPermitted(cpu, 0x5e, 2)).toBe(true);
    expect(ioPermitted(cpu, 0x5f, 2)).toBe(false); // spans 0x5F and 0x60
    expect(ioPermitted(cpu, 0x66, 4)).toBe(false); // spans two bitmap bytes
    expect(ioPermitted(cpu, 0x68, 4)).toBe(true);
    expect(ioPermitted(cpu, 0x1ff8, 1)).toBe(true); // last bitmap byte; the word read includes the 0xFF terminator
    expect(ioPermitted(cpu, 0x1fff, 2)).toBe(false); // port 0x2000 is past the bitmap (terminator byte)
    expect(ioPermitted(cpu, 0xffff, 1)).toBe(false); // beyond the TSS limit
    cpu.flags = F.VM | F.IOPL | 2;
    expect(ioPermitted(cpu, 0x60, 1)).toBe(false);
    expect(ioPermitted(cpu, 0x61 + 8, 1)).toBe(true);
    cpu.trLimit = IOMAP + 0x10;
    expect(ioPermitted(cpu, 0x100, 1)).toBe(false);
    expect(ioPermitted(cpu, 0x70, 1)).toBe(true);
    expect(ioPermitted(cpu, 0x78, 1)).toBe(true);
    expect(ioPermitted(cpu, 0x80, 1)).toBe(false); // its byte is the last one: the word read crosses the limit
    cpu.trAttr = 0x83; // a 16-bit TSS has no bitmap
    expect(ioPermitted(cpu, 0x70, 1)).toBe(false);
  });
});
