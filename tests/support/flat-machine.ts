// A test-only protected-mode machine (not the kernel): flat ring-0 and ring-3 segments,
// a TSS, paging on, an IDT whose every gate leads to a tiny ring-0 stub that reports to
// the host through a reserved port. The differential loader and the CPU fuzzer run user
// code on it. Selectors follow Linux i386: kernel CS 0x10 / DS 0x18, user CS 0x23 /
// DS 0x2b, TLS entries 6..8, the TSS at 0x48.
//
// Physical (= linear, supervisor-only) layout of the kernel area:
//   0x1000 GDT, 0x2000 IDT, 0x3000 TSS, 0x4000 stubs (8 bytes per vector),
//   0x5000 page directory, 0x10000..0x20000 ring-0 stack, 0x20000.. page tables,
//   0x100000.. frames handed out for user pages.
// Stubs: vector 0x80 is `out SYSCALL_PORT, eax; iret` (the host services the call with
// the user's registers, which the gate leaves untouched, and puts the result in EAX);
// every other vector is `push vector; out TRAP_PORT, eax; jmp $`, and the host reads the
// frame from the ring-0 stack and stops the CPU.

import { CPU, R, S, CR0, Stop } from "../../emulator/cpu/cpu.ts";
import { PhysicalMemory } from "../../emulator/memory/physmem.ts";
import { IoPorts } from "../../emulator/io/ports.ts";
import { Clock } from "../../emulator/machine/clock.ts";

export const SYSCALL_PORT = 0xe0;
export const TRAP_PORT = 0xe1;

export const KERNEL_CS = 0x10;
export const KERNEL_DS = 0x18;
export const USER_CS = 0x23;
export const USER_DS = 0x2b;
export const TLS_ENTRY_MIN = 6;
export const TLS_ENTRIES = 3;
export const TSS_SEL = 0x48;

const GDT = 0x1000;
const IDT = 0x2000;
const TSS = 0x3000;
const STUBS = 0x4000;
const PD = 0x5000;
const KSTACK_TOP = 0x20000;
const PT_POOL = 0x20000;
const PT_POOL_END = 0x100000;
const FRAMES = 0x100000;

/** What stopped the user code, as the trap stub reported it. */
export interface Trap {
  vector: number;
  errorCode: number; // -1 when the vector pushes none
  eip: number;
  cs: number;
  eflags: number;
}

/** Vectors whose exceptions push an error code. */
export function pushesErrorCode(vector: number): boolean {
  return vector === 8 || (vector >= 10 && vector <= 14) || vector === 17;
}

/** Encodes a segment descriptor: base, byte limit (made page-granular when > 1 MiB), access byte, D/B. */
function descriptor(base: number, limit: number, access: number, big: boolean): [number, number] {
  let lim = limit >>> 0;
  let g = 0;
  if (lim > 0xfffff) {
    lim = lim >>> 12;
    g = 1;
  }
  const lo = ((base & 0xffff) << 16) | (lim & 0xffff);
  const hi =
    (base & 0xff000000) | ((base >>> 16) & 0xff) | (access << 8) | (lim & 0xf0000) | (g << 23) | ((big ? 1 : 0) << 22);
  return [lo | 0, hi | 0];
}

export class FlatMachine {
  readonly mem: PhysicalMemory;
  readonly io = new IoPorts();
  readonly clock = new Clock();
  readonly cpu: CPU;
  /** Linear page number -> physical frame address, for user pages (host-side walks). */
  readonly userPages = new Map<number, number>();
  /** Frames are handed out from the top of RAM down, so consecutive user pages are never
   *  physically consecutive and page-crossing accesses must really translate both pages. */
  private nextFrame: number;
  private nextPt = PT_POOL;
  /** Set by the trap stub's report; null while the user code runs. */
  trap: Trap | null = null;
  /** Called for `int 0x80` with the CPU in ring 0 and the user's registers; returns EAX. */
  onSyscall: (cpu: CPU) => number = () => -38;

  /** ramBytes: guest RAM size (a multiple of 4 KiB, at least 4 MiB). */
  constructor(ramBytes = 32 << 20) {
    this.mem = new PhysicalMemory(ramBytes);
    this.nextFrame = ramBytes - 0x1000;
    this.cpu = new CPU(this.mem, this.io, this.clock);
    this.writeTables();
    this.io.register(SYSCALL_PORT, 4, {
      out32: () => {
        this.cpu.regs[R.EAX] = this.onSyscall(this.cpu) | 0;
      },
    });
    this.io.register(TRAP_PORT, 4, { out32: () => this.reportTrap() });
  }

  private writeTables(): void {
    const m = this.mem;
    const gdt: [number, number][] = [
      [0, 0],
      [0, 0],
      descriptor(0, 0xffffffff, 0x9b, true), // 0x10 kernel code
      descriptor(0, 0xffffffff, 0x93, true), // 0x18 kernel data
      descriptor(0, 0xffffffff, 0xfb, true), // 0x23 user code
      descriptor(0, 0xffffffff, 0xf3, true), // 0x2b user data
      [0, 0], [0, 0], [0, 0], // TLS
      descriptor(TSS, 0x67, 0x8b, false), // 0x48 TSS (busy: TR is loaded below)
    ];
    gdt.forEach(([lo, hi], i) => {
      m.write32(GDT + i * 8, lo);
      m.write32(GDT + i * 8 + 4, hi);
    });
    // TSS: ss0:esp0 and an I/O bitmap base past the limit (no port is permitted at CPL 3).
    m.write32(TSS + 4, KSTACK_TOP);
    m.write32(TSS + 8, KERNEL_DS);
    m.write16(TSS + 0x66, 0x68);
    for (let v = 0; v < 256; v++) {
      const stub = STUBS + v * 8;
      const code =
        v === 0x80 ? [0xe7, SYSCALL_PORT, 0xcf] : [0x6a, v & 0xff, 0xe7, TRAP_PORT, 0xeb, 0xfe];
      code.forEach((b, i) => m.write8(stub + i, b));
      // 32-bit interrupt gates; DPL 3 where user code may use `int n` (int3, into, int 0x80).
      const dpl = v === 3 || v === 4 || v === 0x80 ? 3 : 0;
      m.write32(IDT + v * 8, (KERNEL_CS << 16) | (stub & 0xffff));
      m.write32(IDT + v * 8 + 4, (stub & 0xffff0000) | 0x8e00 | (dpl << 13));
    }
    // Page directory: the kernel area (first 1 MiB) identity-mapped, supervisor only.
    for (let a = 0; a < 0x100000; a += 0x1000) this.map(a, a, true, false);
    this.gdtLimit = gdt.length * 8 - 1;
    this.resetSystemRegisters();
  }

  private gdtLimit = 0;

  /** Loads GDTR, IDTR, TR, LDTR, CR0/CR3/CR4 and the debug registers with this machine's values. */
  resetSystemRegisters(): void {
    const cpu = this.cpu;
    cpu.gdtBase = GDT;
    cpu.gdtLimit = this.gdtLimit;
    cpu.idtBase = IDT;
    cpu.idtLimit = 256 * 8 - 1;
    cpu.ldtSel = 0;
    cpu.ldtBase = 0;
    cpu.ldtLimit = 0;
    cpu.trSel = TSS_SEL;
    cpu.trBase = TSS;
    cpu.trLimit = 0x67;
    cpu.trAttr = 0x8b;
    cpu.cr3 = PD;
    cpu.cr4 = 0;
    cpu.cr2 = 0;
    cpu.cr0 = CR0.PE | CR0.PG | CR0.ET | CR0.WP;
    cpu.dr.fill(0);
    cpu.dr[6] = 0xffff0ff0 | 0;
    cpu.dr[7] = 0x400;
    cpu.flushTlb();
  }

  /** Maps linear page `lin` to physical frame `phys` (4 KiB, P set). */
  map(lin: number, phys: number, writable: boolean, user: boolean): void {
    const m = this.mem;
    const pdeAddr = PD + (lin >>> 22) * 4;
    let pde = m.read32(pdeAddr);
    if ((pde & 1) === 0) {
      if (this.nextPt >= PT_POOL_END) throw new Error("FlatMachine.map: out of page tables");
      pde = this.nextPt | 0x7; // P, RW, US: the PTE decides
      this.nextPt += 0x1000;
      m.write32(pdeAddr, pde);
    }
    const pteAddr = (pde & ~0xfff) + ((lin >>> 12) & 0x3ff) * 4;
    m.write32(pteAddr, (phys & ~0xfff) | 1 | (writable ? 2 : 0) | (user ? 4 : 0));
    if (user) this.userPages.set(lin >>> 12, phys & ~0xfff);
  }

  /** Maps a fresh zeroed frame at user page `lin` unless one is there; returns its physical address. */
  mapUser(lin: number, writable: boolean): number {
    const page = lin >>> 12;
    const have = this.userPages.get(page);
    if (have !== undefined) {
      if (writable) this.map(page << 12, have, true, true);
      return have;
    }
    if (this.nextFrame < FRAMES) throw new Error("FlatMachine.mapUser: out of guest RAM");
    const frame = this.nextFrame;
    this.nextFrame -= 0x1000;
    this.mem.ram.fill(0, frame, frame + 0x1000);
    this.map(page << 12, frame, writable, true);
    return frame;
  }

  /** Physical address of user linear address `lin`, or -1 when unmapped (host-side walk, no A/D bits). */
  userPhys(lin: number): number {
    const f = this.userPages.get(lin >>> 12);
    return f === undefined ? -1 : f + (lin & 0xfff);
  }

  /** Copies guest user memory out; null when any byte is unmapped. */
  readUser(lin: number, len: number): Uint8Array | null {
    const out = new Uint8Array(len);
    for (let i = 0; i < len; ) {
      const a = (lin + i) >>> 0;
      const p = this.userPhys(a);
      if (p < 0) return null;
      const n = Math.min(len - i, 0x1000 - (a & 0xfff));
      out.set(this.mem.readBytes(p, n), i);
      i += n;
    }
    return out;
  }

  /** Copies bytes into guest user memory; false when any byte is unmapped (earlier pages are written). */
  writeUser(lin: number, data: Uint8Array): boolean {
    for (let i = 0; i < data.length; ) {
      const a = (lin + i) >>> 0;
      const p = this.userPhys(a);
      if (p < 0) return false;
      const n = Math.min(data.length - i, 0x1000 - (a & 0xfff));
      this.mem.writeBytes(p, data.subarray(i, i + n));
      i += n;
    }
    return true;
  }

  /** Writes GDT TLS entry `index` (set_thread_area). */
  setGdtEntry(index: number, lo: number, hi: number): void {
    this.mem.write32(GDT + index * 8, lo);
    this.mem.write32(GDT + index * 8 + 4, hi);
  }

  /** Puts the CPU in ring 3 at eip/esp with flat user segments, EFLAGS = IF, FS = GS = null. */
  enterRing3(eip: number, esp: number, eflags = 0x202): void {
    this.enterRing(3, eip, esp, eflags);
  }

  /** Puts the CPU in ring `ring` (0 or 3) at eip/esp with that ring's flat segments (FS = GS = null). */
  enterRing(ring: 0 | 3, eip: number, esp: number, eflags = 0x202): void {
    const cpu = this.cpu;
    const dpl = ring << 5;
    for (let s = 0; s < 6; s++) {
      const code = s === S.CS;
      const nul = s === S.FS || s === S.GS;
      cpu.segSel[s] = nul ? 0 : ring === 3 ? (code ? USER_CS : USER_DS) : code ? KERNEL_CS : KERNEL_DS;
      cpu.segBase[s] = 0;
      cpu.segLimit[s] = nul ? 0 : -1;
      cpu.segAttr[s] = nul ? 0 : (code ? 0x9b : 0x93) | dpl | (1 << 14) | (1 << 15);
    }
    cpu.cpl = ring;
    cpu.halted = false;
    cpu.shutdown = false;
    cpu.stopRequested = false;
    cpu.eip = eip >>> 0;
    cpu.regs[R.ESP] = esp;
    cpu.setEflags(eflags);
    cpu.onModeChange();
    this.trap = null;
  }

  /** Physical address of `lin` under this machine's own mappings (kernel area or user pages), or -1. */
  private physOf(lin: number): number {
    lin >>>= 0;
    if (lin < 0x100000) return lin;
    return this.userPhys(lin);
  }

  private read32Lin(lin: number): number {
    const p = this.physOf(lin);
    return p < 0 || (p & 0xfff) > 0xffc ? 0 : this.mem.read32(p);
  }

  private reportTrap(): void {
    const cpu = this.cpu;
    // The stub's frame is on the ring-0 stack: the TSS stack for traps from ring 3, the
    // interrupted stack itself for ring-0 code (a user page in the ring-0 fuzzer).
    let sp = (cpu.segBase[S.SS] + cpu.regs[R.ESP]) >>> 0;
    const vector = this.read32Lin(sp) & 0xff;
    sp += 4;
    let errorCode = -1;
    if (pushesErrorCode(vector)) {
      errorCode = this.read32Lin(sp) >>> 0;
      sp += 4;
    }
    this.trap = { vector, errorCode, eip: this.read32Lin(sp) >>> 0, cs: this.read32Lin(sp + 4) & 0xffff, eflags: this.read32Lin(sp + 8) >>> 0 };
    cpu.requestStop();
  }

  /** Runs until the trap stub reports, `stopped()` says so, or `maxCycles` pass. */
  runUntil(maxCycles: number, stopped: () => boolean, slice = 1_000_000): "trap" | "stopped" | "budget" | "triple" | "halt" {
    const cpu = this.cpu;
    const end = this.clock.cycles + maxCycles;
    while (this.clock.cycles < end) {
      cpu.stopRequested = false;
      const stop = cpu.run(Math.min(end, this.clock.cycles + slice));
      if (this.trap) return "trap";
      if (stopped()) return "stopped";
      if (stop === Stop.TripleFault) return "triple";
      if (stop === Stop.Halted) return "halt";
    }
    return "budget";
  }
}

export const EXCEPTION_NAMES: Record<number, string> = {
  0: "#DE", 1: "#DB", 2: "NMI", 3: "#BP", 4: "#OF", 5: "#BR", 6: "#UD", 7: "#NM", 8: "#DF",
  10: "#TS", 11: "#NP", 12: "#SS", 13: "#GP", 14: "#PF", 16: "#MF", 17: "#AC",
};

/** "vector 14 (#PF) error 0x6 at eip 0x401000" */
export function describeTrap(t: Trap, cr2?: number): string {
  const name = EXCEPTION_NAMES[t.vector] ?? `int 0x${t.vector.toString(16)}`;
  const err = t.errorCode >= 0 ? ` error 0x${t.errorCode.toString(16)}` : "";
  const pf = t.vector === 14 && cr2 !== undefined ? ` cr2 0x${(cr2 >>> 0).toString(16)}` : "";
  return `vector ${t.vector} (${name})${err}${pf} at eip 0x${t.eip.toString(16)}`;
}
