// A test double of the CPU core for testing system.ts alone: flat physical
// memory without paging, a plain EFLAGS field, and an optional set of linear
// pages that raise #PF, so delivery faults can be staged. Plus helpers that
// build GDT/IDT/TSS images in guest memory.

import { CPU, CPU_FAULT, CR0, S, R, Vec } from "../../emulator/cpu/cpu.ts";
import { PhysicalMemory } from "../../emulator/memory/physmem.ts";
import { IoPorts } from "../../emulator/io/ports.ts";
import { Clock } from "../../emulator/machine/clock.ts";
import { descAttr, descBase, descLimit } from "../../emulator/cpu/sys-descriptors.ts";

export class TestCpu extends CPU {
  /** Linear page numbers whose accesses raise #PF (not present). */
  readonly missing = new Set<number>();
  tlbFlushes = 0;
  modeChanges = 0;
  triples = 0;

  constructor(ramBytes = 1 << 20) {
    super(new PhysicalMemory(ramBytes), new IoPorts(), new Clock());
    this.onTripleFault = () => { this.triples++; };
  }

  override getEflags(): number { return this.flags; }
  override setEflags(v: number): void { this.flags = (v | 2) >>> 0; }

  private check(lin: number, write: boolean, user: boolean): number {
    lin >>>= 0;
    if (this.missing.has(lin >>> 12)) {
      this.cr2 = lin;
      this.fault(Vec.PF, (write ? 2 : 0) | (user ? 4 : 0));
    }
    return lin;
  }
  override readSys8(lin: number): number { return this.mem.read8(this.check(lin, false, false)); }
  override readSys16(lin: number): number { return this.mem.read16(this.check(lin, false, false)); }
  override readSys32(lin: number): number { return this.mem.read32(this.check(lin, false, false)); }
  override writeSys8(lin: number, v: number): void { this.mem.write8(this.check(lin, true, false), v); }
  override writeSys16(lin: number, v: number): void { this.mem.write16(this.check(lin, true, false), v); }
  override writeSys32(lin: number, v: number): void { this.mem.write32(this.check(lin, true, false), v); }
  override readLin8(lin: number): number { return this.mem.read8(this.check(lin, false, this.cpl === 3)); }
  override readLin16(lin: number): number { return this.mem.read16(this.check(lin, false, this.cpl === 3)); }
  override readLin32(lin: number): number { return this.mem.read32(this.check(lin, false, this.cpl === 3)); }
  override writeLin8(lin: number, v: number): void { this.mem.write8(this.check(lin, true, this.cpl === 3), v); }
  override writeLin16(lin: number, v: number): void { this.mem.write16(this.check(lin, true, this.cpl === 3), v); }
  override writeLin32(lin: number, v: number): void { this.mem.write32(this.check(lin, true, this.cpl === 3), v); }
  override flushTlb(): void { this.tlbFlushes++; }
  override invlpg(_lin: number): void {}
  override onModeChange(): void { this.modeChanges++; }

  r32(addr: number): number { return this.mem.read32(addr) >>> 0; }
  r16(addr: number): number { return this.mem.read16(addr); }
  w32(addr: number, v: number): void { this.mem.write32(addr, v); }
  w16(addr: number, v: number): void { this.mem.write16(addr, v); }
  get esp(): number { return this.regs[R.ESP] >>> 0; }
  set esp(v: number) { this.regs[R.ESP] = v; }
}

/** Runs `fn` and returns the guest fault it raised as [vector, code], or null when it completed. */
export function faultOf(cpu: CPU, fn: () => void): [number, number] | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (e !== CPU_FAULT) throw e;
    return [cpu.faultVector, cpu.faultCode];
  }
}

// ---- descriptor images ----

/** Writes a segment descriptor. flags: bit 3 = G, bit 2 = D/B. */
export function putSeg(cpu: CPU, addr: number, base: number, limit: number, access: number, flags = 0xc): void {
  cpu.mem.write32(addr, (limit & 0xffff) | ((base & 0xffff) << 16));
  cpu.mem.write32(addr + 4, ((base >>> 16) & 0xff) | (access << 8) | (limit & 0xf0000) | (flags << 20) | (base & 0xff000000));
}

/** Writes a gate descriptor (call/int/trap/task gate). */
export function putGate(cpu: CPU, addr: number, sel: number, offset: number, access: number, count = 0): void {
  cpu.mem.write32(addr, (offset & 0xffff) | (sel << 16));
  cpu.mem.write32(addr + 4, (offset & 0xffff0000) | (access << 8) | count);
}

export const GDT = 0x1000;
export const IDT = 0x2000;
export const TSS = 0x3000;
export const TSS2 = 0x3400;
export const TSS_DF = 0x3800;
export const LDT = 0x4000;
export const STACK0 = 0x9000; // ring-0 stack top (TSS esp0)
export const STACK3 = 0x8000; // ring-3 stack top
export const IOMAP = 0x80; // offset of the I/O bitmap in TSS

/** GDT selectors. */
export const enum Sel {
  Code0 = 0x08, Data0 = 0x10, Code3 = 0x1b, Data3 = 0x23, Tss = 0x28, Tss2 = 0x30, Ldt = 0x38,
  CallGate = 0x43, Absent = 0x48, TaskGate = 0x53, Code16 = 0x58, Conform0 = 0x60, ExecOnly = 0x68,
  ReadOnly = 0x70, TssDf = 0x78, Code1 = 0x81, Data1 = 0x89, Data3Small = 0xa3,
}

/**
 * A protected-mode machine at CPL 0: flat ring-0 and ring-3 code/data, a TSS
 * (esp0 = STACK0, I/O bitmap at IOMAP denying nothing but ports 0x60..0x67),
 * an LDT with one DPL-3 data segment, a call gate, a task gate, an empty IDT
 * of 256 entries, TR loaded.
 */
export function protectedMachine(): TestCpu {
  const cpu = new TestCpu();
  setupProtected(cpu);
  return cpu;
}

/** Writes the tables of protectedMachine into `cpu`'s memory and puts it at CPL 0 in protected mode. */
export function setupProtected(cpu: CPU): void {
  const w16 = (a: number, v: number) => cpu.mem.write16(a, v);
  const w32 = (a: number, v: number) => cpu.mem.write32(a, v);
  const g = (i: number) => GDT + i * 8;
  putSeg(cpu, g(1), 0, 0xfffff, 0x9a);
  putSeg(cpu, g(2), 0, 0xfffff, 0x92);
  putSeg(cpu, g(3), 0, 0xfffff, 0xfa);
  putSeg(cpu, g(4), 0, 0xfffff, 0xf2);
  putSeg(cpu, g(5), TSS, IOMAP + 0x2000 / 8, 0x89, 0);
  putSeg(cpu, g(6), TSS2, 0x67, 0x89, 0);
  putSeg(cpu, g(7), LDT, 0xff, 0x82, 0);
  putGate(cpu, g(8), Sel.Code0, 0x5000, 0xec, 2);
  putSeg(cpu, g(9), 0, 0xfffff, 0x12);
  putGate(cpu, g(10), Sel.Tss2, 0, 0xe5);
  putSeg(cpu, g(11), 0, 0xffff, 0x9a, 0);
  putSeg(cpu, g(12), 0, 0xfffff, 0x9e);
  putSeg(cpu, g(13), 0, 0xfffff, 0x98);
  putSeg(cpu, g(14), 0, 0xfffff, 0x90);
  putSeg(cpu, g(15), TSS_DF, 0x67, 0x89, 0);
  putSeg(cpu, g(16), 0, 0xfffff, 0xba); // ring-1 code (sel 0x81)
  putSeg(cpu, g(17), 0, 0xfffff, 0xb2); // ring-1 data (sel 0x89)
  putSeg(cpu, g(20), 0x20000, 0xfff, 0xf2, 0x4); // small ring-3 data, base 0x20000 limit 0xFFF (sel 0xA3)
  putSeg(cpu, LDT + 8, 0x10000, 0xffff, 0xf2, 0x4); // LDT sel 0x0F: ring-3 data base 0x10000
  cpu.gdtBase = GDT;
  cpu.gdtLimit = 0x100 - 1;
  cpu.idtBase = IDT;
  cpu.idtLimit = 256 * 8 - 1;
  cpu.cr0 = CR0.PE | CR0.ET;
  cpu.setEflags(2);
  setFromGdt(cpu, S.CS, Sel.Code0);
  for (const s of [S.SS, S.DS, S.ES, S.FS, S.GS]) setFromGdt(cpu, s, Sel.Data0);
  cpu.cpl = 0;
  // TSS: esp0/ss0, esp1/ss1, I/O bitmap
  w32(TSS + 4, STACK0);
  w16(TSS + 8, Sel.Data0);
  w32(TSS + 12, 0xa000);
  w16(TSS + 16, Sel.Data1);
  w16(TSS + 0x66, IOMAP);
  cpu.mem.write8(TSS + IOMAP + (0x60 >>> 3), 0xff);
  cpu.mem.write8(TSS + IOMAP + 0x2000 / 8, 0xff);
  cpu.trSel = Sel.Tss;
  cpu.trBase = TSS;
  cpu.trLimit = IOMAP + 0x2000 / 8;
  cpu.trAttr = 0x8b;
  cpu.mem.write8(g(5) + 5, 0x8b);
  cpu.ldtSel = Sel.Ldt;
  cpu.ldtBase = LDT;
  cpu.ldtLimit = 0xff;
  cpu.regs[R.ESP] = STACK0 - 0x100;
  cpu.onModeChange();
}

/** Loads a segment cache straight from the GDT image (no checks), RPL from `sel`. */
export function setFromGdt(cpu: CPU, seg: S, sel: number): void {
  const at = GDT + (sel & 0xfff8);
  const lo = cpu.mem.read32(at);
  const hi = cpu.mem.read32(at + 4);
  cpu.segSel[seg] = sel;
  cpu.segBase[seg] = descBase(lo, hi);
  cpu.segLimit[seg] = descLimit(lo, hi);
  cpu.segAttr[seg] = descAttr(hi);
}

/** Puts the CPU at ring 3 (flat code/data), ESP = STACK3 - 0x40, EIP = eip. */
export function toRing3(cpu: TestCpu, eip = 0x7000): void {
  setFromGdt(cpu, S.CS, Sel.Code3);
  for (const s of [S.SS, S.DS, S.ES, S.FS, S.GS]) setFromGdt(cpu, s, Sel.Data3);
  cpu.cpl = 3;
  cpu.esp = STACK3 - 0x40;
  cpu.eip = eip;
}

/** Gate access bytes. */
export const enum GateAcc {
  Int32 = 0x8e, Trap32 = 0x8f, Int32User = 0xee, Trap32User = 0xef, Task = 0x85, Int16 = 0x86,
}

/** Installs IDT entry `vector`. */
export function setIdt(cpu: CPU, vector: number, sel: number, offset: number, access: number): void {
  putGate(cpu, IDT + vector * 8, sel, offset, access);
}
