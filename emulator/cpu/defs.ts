// The CPU's architectural constants (register, segment and vector numbers,
// EFLAGS and control-register bits, descriptor attributes) and the fault
// sentinel: a leaf module, so the instruction files import them without
// importing cpu.ts, which imports them.

/** EFLAGS bits software can hold (bit 1 is always one). */
export const EFLAGS_WRITABLE = 0x277fd5;

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
  VME = 1 << 0, PVI = 1 << 1, TSD = 1 << 2, DE = 1 << 3, PSE = 1 << 4, PCE = 1 << 8,
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

/** What enterFlatProtectedMode loads (descriptor-table bases and limits are linear addresses and byte limits). */
export interface FlatProtectedMode {
  gdtBase: number;
  gdtLimit: number;
  idtBase: number;
  idtLimit: number;
  trSel: number;
  trBase: number;
  trLimit: number;
  codeSel: number;
  dataSel: number;
  cr0: number;
  cr3: number;
  cr4: number;
}

/** Capacity of the TLB fill list; when it is full the whole TLB is flushed (an eviction). */
export const TLB_LIST = 8192;

/** A segment register with its descriptor cache, unsigned. */
export interface SegmentView {
  sel: number;
  base: number;
  /** Byte-granular effective limit. */
  limit: number;
  /** See Attr. */
  attr: number;
}

/**
 * The architectural registers as a debugger shows them, copied out of the
 * CPU (CPU.registers()). Every value is unsigned; `seg` is indexed by S.
 */
export interface CpuRegisters {
  /** EAX..EDI in encoding order (R). */
  gp: number[];
  eip: number;
  eflags: number;
  cpl: number;
  halted: boolean;
  /** Protected mode without VM (else real or virtual-8086 mode). */
  pmode: boolean;
  /** The current code segment is 32-bit. */
  code32: boolean;
  seg: SegmentView[];
  ldt: SegmentView;
  tr: SegmentView;
  gdt: { base: number; limit: number };
  idt: { base: number; limit: number };
  cr0: number;
  cr2: number;
  cr3: number;
  cr4: number;
  dr: number[];
}

/** A guest exception the run loop held back instead of delivering (CPU.holdExceptions). */
export interface HeldException {
  vector: number;
  /** -1 when the exception pushes none. */
  errorCode: number;
  /** The EIP it was raised at (the faulting instruction, or after a trap). */
  eip: number;
  cr2: number;
}
