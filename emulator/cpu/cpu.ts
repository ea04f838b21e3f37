// The i486-class CPU: architectural state, the run loop and the exception
// mechanism. Instruction semantics live in the other files of this folder.
//
// Ownership (while the CPU is being built by two people at once):
//   - core (decoder, instructions, lazy flags, memory access, TLB/paging, run loop): this file and the
//     files it names for instructions, flags, mmu;
//   - protected-mode mechanics (segment loads and checks, interrupt/exception delivery, gates, TSS,
//     task switches, iret, v86 mode, system instructions): `system.ts` and files it imports.
//
// Faults: an instruction that faults calls `cpu.fault(vector, errorCode)`, which records the
// exception and throws the preallocated `CPU_FAULT` sentinel (no allocation, no stack capture).
// The run loop catches it at the instruction boundary, restores EIP/ESP to their values at the
// start of the instruction and delivers the exception through the IDT/IVT. Handlers therefore
// do every check and read that can fault before they commit register state.

import type { PhysicalMemory } from "../memory/physmem.ts";
import type { IoPorts } from "../io/ports.ts";
import type { Clock } from "../machine/clock.ts";

export const enum R {
  EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7,
}

export const enum S {
  ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5,
}

/** Exception vectors. */
export const enum Vec {
  DE = 0, DB = 1, NMI = 2, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7, DF = 8,
  TS = 10, NP = 11, SS = 12, GP = 13, PF = 14, MF = 16, AC = 17,
}

/** EFLAGS bits. */
export const enum F {
  CF = 1 << 0, PF = 1 << 2, AF = 1 << 4, ZF = 1 << 6, SF = 1 << 7, TF = 1 << 8, IF = 1 << 9,
  DF = 1 << 10, OF = 1 << 11, IOPL = 3 << 12, NT = 1 << 14, RF = 1 << 16, VM = 1 << 17, AC = 1 << 18,
  ID = 1 << 21,
}

/** CR0 bits. */
export const enum CR0 {
  PE = 1 << 0, MP = 1 << 1, EM = 1 << 2, TS = 1 << 3, ET = 1 << 4, NE = 1 << 5, WP = 1 << 16,
  AM = 1 << 18, NW = 1 << 29, CD = 1 << 30, PG = 1 << 31,
}

/** CR4 bits the 486-class CPU honours. */
export const enum CR4 {
  VME = 1 << 0, PVI = 1 << 1, TSD = 1 << 2, DE = 1 << 3, PSE = 1 << 4,
}

/**
 * Descriptor-cache attribute word kept per segment register (segAttr):
 * low byte = the descriptor's access byte (P, DPL, S, type), bit 14 = D/B, bit 15 = G.
 */
export const enum Attr {
  ACCESSED = 1 << 0, RW = 1 << 1, DC = 1 << 2, CODE = 1 << 3, S = 1 << 4, DPL_SHIFT = 5, P = 1 << 7,
  DB = 1 << 14, G = 1 << 15,
}

/** Where the CPU gets external interrupts (the PIC). */
export interface InterruptSource {
  /** True when an unmasked interrupt request is waiting. */
  hasInterrupt(): boolean;
  /** The INTA cycle: returns the vector and moves the request in service. */
  acknowledge(): number;
}

/** Why `run` returned. */
export const enum Stop {
  Budget = 0, // reached the cycle budget
  Halted = 1, // HLT with nothing to wake it (interrupts off or none pending)
  Requested = 2, // requestStop() was called (monitor, debugger, breakpoint)
  TripleFault = 3, // the machine must reset
}

/** The thrown sentinel for guest exceptions. Never an Error, never allocated per fault. */
export const CPU_FAULT: { readonly cpuFault: true } = Object.freeze({ cpuFault: true as const });

export class CPU {
  // ---- general registers: one buffer seen as 32, 16 and 8 bits ----
  readonly regs = new Int32Array(8);
  readonly reg16 = new Uint16Array(this.regs.buffer);
  readonly reg8 = new Uint8Array(this.regs.buffer);
  eip = 0;

  // ---- flags: `flags` holds the non-arithmetic bits; the core keeps CF PF AF ZF SF OF lazily.
  // Everyone outside the core reads and writes EFLAGS with getEflags()/setEflags().
  flags = 2;

  // ---- segment registers with their descriptor caches ----
  readonly segSel = new Uint16Array(6);
  readonly segBase = new Int32Array(6); // use `>>> 0` for the unsigned value
  readonly segLimit = new Int32Array(6); // byte-granular effective limit, `>>> 0` for unsigned
  readonly segAttr = new Uint16Array(6); // see Attr
  cpl = 0;

  // ---- system registers ----
  cr0 = CR0.ET;
  cr2 = 0;
  cr3 = 0;
  cr4 = 0;
  readonly dr = new Int32Array(8);
  gdtBase = 0;
  gdtLimit = 0xffff;
  idtBase = 0;
  idtLimit = 0x3ff;
  ldtSel = 0;
  ldtBase = 0;
  ldtLimit = 0;
  trSel = 0;
  trBase = 0;
  trLimit = 0;
  trAttr = 0;

  // ---- execution state ----
  halted = false;
  /** EIP and ESP at the start of the current instruction (fault restart point). */
  instrEip = 0;
  instrEsp = 0;
  /** Pending exception recorded by fault(); -1 when none. */
  faultVector = -1;
  faultCode = -1; // -1: the exception pushes no error code
  /** Instructions retired since reset (for MIPS figures). */
  instructions = 0;
  /** Set by requestStop(); the run loop returns Stop.Requested at the next boundary. */
  stopRequested = false;

  irq: InterruptSource = { hasInterrupt: () => false, acknowledge: () => 0 };
  /** Called on a triple fault (shutdown); the machine resets. */
  onTripleFault: () => void = () => {};

  constructor(
    readonly mem: PhysicalMemory,
    readonly io: IoPorts,
    readonly clock: Clock,
  ) {}

  /**
   * Records exception `vector` (with `errorCode`, or -1 for none) and aborts the current
   * instruction by throwing CPU_FAULT. The run loop catches it and delivers the exception.
   */
  fault(vector: number, errorCode = -1): never {
    this.faultVector = vector;
    this.faultCode = errorCode;
    throw CPU_FAULT;
  }

  // ---- services the core provides to system.ts, the kernel arch layer, the monitor ----
  // (stubs until the core lands; the core replaces each body)

  /** EFLAGS as the guest sees it (lazy arithmetic flags materialised). */
  getEflags(): number {
    throw new Error("CPU.getEflags: core not built yet");
  }
  /** Sets every EFLAGS bit (no privilege filtering; callers apply POPF/IRET rules). */
  setEflags(_value: number): void {
    throw new Error("CPU.setEflags: core not built yet");
  }
  /** Supervisor-privilege linear reads/writes (descriptor tables, TSS, stacks during delivery); may fault #PF. */
  readSys8(_lin: number): number { throw new Error("core not built yet"); }
  readSys16(_lin: number): number { throw new Error("core not built yet"); }
  readSys32(_lin: number): number { throw new Error("core not built yet"); }
  writeSys8(_lin: number, _v: number): void { throw new Error("core not built yet"); }
  writeSys16(_lin: number, _v: number): void { throw new Error("core not built yet"); }
  writeSys32(_lin: number, _v: number): void { throw new Error("core not built yet"); }
  /** Linear reads/writes with the privilege of the current CPL; may fault #PF. */
  readLin8(_lin: number): number { throw new Error("core not built yet"); }
  readLin16(_lin: number): number { throw new Error("core not built yet"); }
  readLin32(_lin: number): number { throw new Error("core not built yet"); }
  writeLin8(_lin: number, _v: number): void { throw new Error("core not built yet"); }
  writeLin16(_lin: number, _v: number): void { throw new Error("core not built yet"); }
  writeLin32(_lin: number, _v: number): void { throw new Error("core not built yet"); }
  /** Drops every TLB entry (CR3 load, CR0.PG/WP or CR4.PSE change). */
  flushTlb(): void { throw new Error("core not built yet"); }
  /** Drops the TLB entry for one linear address (INVLPG). */
  invlpg(_lin: number): void { throw new Error("core not built yet"); }
  /** Recomputes state derived from CS/SS attributes, CR0, CR4 and EFLAGS.VM (code size, decode caches). */
  onModeChange(): void { throw new Error("core not built yet"); }

  /** Asks `run` to return at the next instruction boundary. Safe from device and I/O callbacks. */
  requestStop(): void {
    this.stopRequested = true;
  }
}
