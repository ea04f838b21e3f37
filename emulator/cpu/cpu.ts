// The i486-class CPU: architectural state, the run loop and the exception
// mechanism. Instruction semantics live in the other files of this folder; the x87
// FPU's state is `fpu` (fpu/state.ts), its instructions are in x87.ts and x87-ops.ts.
//
// Code outside this folder uses the CPU through a small surface: run/requestStop,
// reset, the register file (`regs`; `eip`, `cpl`, `cr2`, `cr3` read on hot
// paths; `jumpTo`, get/setEflags),
// registers() for a debugger's full view, enterFlatProtectedMode/loadCr3/
// flushTlb/invlpg for a host kernel, charge/wake, holdExceptions/takeException/
// deliverException and physAddrDebug/tlbEntries for debuggers, and the buses
// it was built with (mem, io, clock) and `fpu`. Every other field is the
// core's own state: the run loop, decoder and MMU keep it consistent.
//
// Faults: an instruction that faults calls `cpu.fault(vector, errorCode)`, which records the
// exception and throws the preallocated `CPU_FAULT` sentinel (no allocation, no stack capture).
// The run loop catches it at the instruction boundary, restores EIP/ESP to their values at the
// start of the instruction and delivers the exception through the IDT/IVT. Handlers therefore
// do every check and read that can fault before they commit register state.

import type { PhysicalMemory } from "../memory/physmem.ts";
import type { IoPorts } from "../io/ports.ts";
import type { Clock } from "../machine/clock.ts";
import { Lf, materialize } from "./flags.ts";
import { Tlb, flushAll, flushPage, listTlb } from "./mmu.ts";
import { walkPageTables } from "./pagewalk.ts";
import { rd8, rd16, rd32, wr8, wr16, wr32, rdSlow, wrSlow } from "./access.ts";
import { raiseException, runLoop } from "./run.ts";
import { ICache, JIT_THRESHOLD, JIT_WARMUP, YOUNG_RUNS, invalidateCodePage, flushCodeCache } from "./icache.ts";
import { resetCpu } from "./system.ts";
import { Fpu, fpuReset } from "./fpu/state.ts";

export * from "./defs.ts";
import { Attr, CR0, F, S, CPU_FAULT, EFLAGS_WRITABLE, TLB_LIST, Stop, type CpuRegisters, type FlatProtectedMode, type HeldException, type InterruptSource } from "./defs.ts";

export class CPU {
  /**
   * useJit of new CPUs: on (README, Speed of the CPU); the CLI's --no-jit, the page's
   * ?jit=0 and the tests' VMALAB_JIT=0 turn it off.
   */
  static jitByDefault = true;
  /** jitWarmup of new CPUs (the test setup makes it 0, so that short guests compile too). */
  static jitWarmupByDefault = JIT_WARMUP;
  // ---- general registers: one buffer seen as 32, 16 and 8 bits ----
  readonly regs = new Int32Array(8);
  readonly reg16 = new Uint16Array(this.regs.buffer);
  readonly reg8 = new Uint8Array(this.regs.buffer);
  /**
   * As a signed int32, like every integer field the hot paths read (`cycLimit`, `instrEip`):
   * V8 keeps such a field a small integer only while every value stored in it is one, and
   * one unsigned or computed-as-double value makes it a boxed double for all CPUs.
   */
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
  /** The x87 FPU's registers and words (fpu/state.ts; instructions in x87.ts). */
  readonly fpu = new Fpu();
  /** False: a CPU without an FPU (D8-DF raise #UD unless CR0.EM or CR0.TS is set, then #NM). */
  hasFpu = true;
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
  /** Cycles charged since the run loop last added them to clock.cycles (see run.ts). */
  cyc = 0;
  /** Cycles the current block may still run (run.ts). */
  cycLimit = 0;
  /** Instructions retired in the current block (added to `instructions` by the run loop). */
  retired = 0;
  /** The current instruction had prefixes (or changed modes): decode state is reset after it. */
  prefixed = false;
  /** Set by requestStop(); the run loop returns Stop.Requested at the next boundary. */
  stopRequested = false;

  /** Set with halted on a triple fault (shutdown); run() returns Stop.TripleFault. */
  shutdown = false;
  /** Debug/test aid: when true, run() stops (Stop.Requested) at a guest exception instead of delivering it. */
  stopOnException = false;
  /** The last exception the run loop saw (vector, error code or -1) and the EIP it was raised at. */
  lastException = -1;
  lastErrorCode = -1;
  lastExceptionEip = 0;
  /** Instructions retired before the last exception's instruction (its place in the run, for time travel). */
  lastExceptionInstructions = 0;
  /** The last exception was held back (stopOnException), not delivered: takeException() returns it. */
  exceptionHeld = false;

  // ---- core-internal state (derived by onModeChange, or per instruction) ----
  /** Protected mode without VM; virtual-8086 mode. */
  pmode = false;
  vm86 = false;
  /** Default operand/address size of the code segment; B bit of the stack segment. */
  code32 = false;
  stack32 = false;
  /** CPL 3: accesses are user accesses. */
  user = false;
  /** Required TLB bits for a fast read/write at the current CPL (see mmu.ts). */
  rmask = 0;
  wmask = 0;
  /** The run loop leaves its inner loop after the current instruction (flags, mode, I/O changed). */
  blockEnd = false;
  /** Interrupt shadow after STI, MOV SS, POP SS: no interrupt before the next instruction. */
  shadow = false;
  /** The shadow came from MOV SS / POP SS, which also holds back the single-step trap. */
  ssShadow = false;
  /** A single-step trap held back by a MOV SS / POP SS shadow, taken after the next instruction. */
  stepHeld = false;
  /** Lazy arithmetic flags (flags.ts). */
  lfOp = 0;
  lfRes = 0;
  lfA = 0;
  lfB = 0;
  lfCin = 0;
  lfSign = 0;
  /** Per-instruction decode state. */
  os32 = false;
  as32 = false;
  segOvr = -1;
  rep = 0;
  /** Effective address (offset) and segment of the current ModRM memory operand. */
  ea = 0;
  eaSeg = 0;
  /** TLB: one entry per linear page (mmu.ts), plus the list of filled slots. */
  readonly tlb = new Int32Array(1 << 20);
  readonly tlbList = new Int32Array(TLB_LIST);
  tlbCount = 0;
  /** RAM seen as bytes and aligned 32-bit words. */
  readonly ram: Uint8Array;
  readonly ram32: Int32Array;
  /** Code window: `code[winPhys + k]` is the byte at EIP winEip + k for 0 <= k < winLen. */
  code: Uint8Array;
  winEip = 0;
  winPhys = 0;
  winLen = 0;
  ip = 0;
  ipEnd = 0;
  /** Decoded-instruction cache table of the window's page (icache.ts), -1 when uncached. */
  winTbl = -1;
  /** False: every instruction runs through the byte interpreter (differential tests, debugging). */
  useDecodedCache = true;
  /** Compile hot cached code into JavaScript (jit.ts); false: interpret every record. */
  useJit = CPU.jitByDefault;
  /** Entries into an instruction before its region is compiled (below NOT_COMPILABLE; the fuzzer's differential mode uses 0). */
  jitThreshold = JIT_THRESHOLD;
  /** Instructions the CPU retires before it compiles anything (jit.ts runRegion). */
  jitWarmup = CPU.jitWarmupByDefault;
  /** Short first runs of each newly compiled region (jit.ts youngRun); tests make it 0 to run regions whole from the start. */
  jitYoungRuns = YOUNG_RUNS;
  readonly icache: ICache;
  readonly scratch = new Uint8Array(4096);

  irq: InterruptSource = { hasInterrupt: () => false, acknowledge: () => 0 };
  /** Called on a triple fault (shutdown); the machine resets. */
  onTripleFault: () => void = () => {};

  constructor(
    readonly mem: PhysicalMemory,
    readonly io: IoPorts,
    readonly clock: Clock,
  ) {
    this.ram = mem.ram;
    this.ram32 = new Int32Array(mem.ram.buffer, mem.ram.byteOffset, mem.ram.length >>> 2);
    this.code = this.scratch;
    this.icache = new ICache(mem.ram.length >>> 12);
    mem.onCodeWrite = (page) => invalidateCodePage(this, page);
    this.onModeChange();
  }

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

  /** EFLAGS as the guest sees it (lazy arithmetic flags materialised). */
  getEflags(): number {
    materialize(this);
    return this.flags;
  }
  /** Sets every EFLAGS bit (no privilege filtering; callers apply POPF/IRET rules). */
  setEflags(value: number): void {
    this.flags = (value & EFLAGS_WRITABLE) | 2;
    this.lfOp = Lf.None;
    this.blockEnd = true;
  }
  /** Supervisor-privilege linear reads/writes (descriptor tables, TSS, stacks during delivery); may fault #PF. */
  readSys8(lin: number): number { return rdSlow(this, lin | 0, 1, false); }
  readSys16(lin: number): number { return rdSlow(this, lin | 0, 2, false); }
  readSys32(lin: number): number { return rdSlow(this, lin | 0, 4, false); }
  writeSys8(lin: number, v: number): void { wrSlow(this, lin | 0, 1, v, false); }
  writeSys16(lin: number, v: number): void { wrSlow(this, lin | 0, 2, v, false); }
  writeSys32(lin: number, v: number): void { wrSlow(this, lin | 0, 4, v, false); }
  /** Linear reads/writes with the privilege of the current CPL; may fault #PF. */
  readLin8(lin: number): number { return rd8(this, lin | 0); }
  readLin16(lin: number): number { return rd16(this, lin | 0); }
  readLin32(lin: number): number { return rd32(this, lin | 0); }
  writeLin8(lin: number, v: number): void { wr8(this, lin | 0, v); }
  writeLin16(lin: number, v: number): void { wr16(this, lin | 0, v); }
  writeLin32(lin: number, v: number): void { wr32(this, lin | 0, v); }
  /** Continues at `eip` in the current code segment (a debugger's or the host's jump): the next fetch reads there. */
  jumpTo(eip: number): void {
    this.eip = eip | 0;
    this.winLen = 0;
    this.ipEnd = 0;
    this.blockEnd = true;
  }
  /** Leaves the HLT state, as an interrupt would (the host resuming a halted CPU in a new context). */
  wake(): void {
    this.halted = false;
  }
  /**
   * Debug aid: with `on`, run() stops (Stop.Requested) at a guest exception
   * instead of delivering it; takeException() returns it, deliverException()
   * delivers it later (a debugger that lets the guest handle it).
   */
  holdExceptions(on: boolean): void {
    this.stopOnException = on;
  }
  /** The exception run() held back since the last call (cleared by it), or null. */
  takeException(): HeldException | null {
    if (!this.exceptionHeld) return null;
    this.exceptionHeld = false;
    return { vector: this.lastException, errorCode: this.lastErrorCode, eip: this.lastExceptionEip >>> 0, cr2: this.cr2 >>> 0 };
  }
  /** Delivers exception `vector` (error code or -1) now, as the run loop would have. */
  deliverException(vector: number, errorCode: number): void {
    raiseException(this, vector, errorCode);
  }
  /** Charges `cycles` of host-side work (a device or the host kernel) to guest time. */
  charge(cycles: number): void {
    this.clock.cycles += cycles;
  }
  /** The architectural registers, copied out for a debugger or monitor (allocates). */
  registers(): CpuRegisters {
    const seg = (sel: number, base: number, limit: number, attr: number) =>
      ({ sel, base: base >>> 0, limit: limit >>> 0, attr });
    return {
      gp: Array.from(this.regs, (v) => v >>> 0),
      eip: this.eip >>> 0,
      eflags: this.getEflags() >>> 0,
      cpl: this.cpl,
      halted: this.halted,
      pmode: this.pmode,
      code32: this.code32,
      seg: [0, 1, 2, 3, 4, 5].map((s) => seg(this.segSel[s], this.segBase[s], this.segLimit[s], this.segAttr[s])),
      ldt: seg(this.ldtSel, this.ldtBase, this.ldtLimit, 0),
      tr: seg(this.trSel, this.trBase, this.trLimit, this.trAttr),
      gdt: { base: this.gdtBase >>> 0, limit: this.gdtLimit },
      idt: { base: this.idtBase >>> 0, limit: this.idtLimit },
      cr0: this.cr0 >>> 0,
      cr2: this.cr2 >>> 0,
      cr3: this.cr3 >>> 0,
      cr4: this.cr4 >>> 0,
      dr: Array.from(this.dr, (v) => v >>> 0),
    };
  }
  /**
   * The physical address linear `lin` maps to under the current CR3 (itself
   * with paging off), or -1 when unmapped: a debugger's walk, which sets no
   * accessed or dirty bit, fills no TLB entry and raises no fault (QEMU's
   * cpu_get_phys_page_debug).
   */
  physAddrDebug(lin: number): number {
    lin >>>= 0;
    if ((this.cr0 & CR0.PG) === 0) return lin;
    const w = walkPageTables(this.mem, this.cr3, this.cr4, lin);
    return w.present ? w.phys : -1;
  }
  /** Loads CR3 and flushes the TLB, as MOV CR3 does; nothing when CR3 already holds pa. */
  loadCr3(pa: number): void {
    if (this.cr3 >>> 0 === pa >>> 0) return;
    this.cr3 = pa | 0;
    flushAll(this);
  }
  /**
   * Leaves the CPU as a boot loader leaves it in 32-bit protected mode: GDTR,
   * IDTR and TR loaded (the TSS already marked busy in memory), no LDT, every
   * segment flat (base 0, limit 4 GiB, 32-bit) with the given selectors, CPL 0,
   * EFLAGS 0x2, the given control registers, an empty TLB.
   */
  enterFlatProtectedMode(m: FlatProtectedMode): void {
    this.gdtBase = m.gdtBase;
    this.gdtLimit = m.gdtLimit;
    this.idtBase = m.idtBase;
    this.idtLimit = m.idtLimit;
    this.trSel = m.trSel;
    this.trBase = m.trBase;
    this.trLimit = m.trLimit;
    this.trAttr = 0x8b; // 32-bit TSS, busy
    this.ldtSel = this.ldtBase = this.ldtLimit = 0;
    for (let s = 0; s < 6; s++) {
      const code = s === S.CS;
      this.segSel[s] = code ? m.codeSel : m.dataSel;
      this.segBase[s] = 0;
      this.segLimit[s] = -1;
      this.segAttr[s] = (code ? 0x9b : 0x93) | Attr.DB | Attr.G;
    }
    this.cpl = 0;
    this.cr4 = m.cr4;
    this.cr3 = m.cr3;
    this.cr0 = m.cr0 | CR0.PE;
    this.setEflags(0x2);
    this.halted = false;
    flushAll(this);
    this.onModeChange();
  }
  /** Drops every decoded instruction (after host-side writes to guest RAM that bypass PhysicalMemory). */
  flushCodeCache(): void { flushCodeCache(this); }
  /** Drops every TLB entry (CR3 load, CR0.PG/WP or CR4.PSE change). */
  flushTlb(): void { flushAll(this); }
  /** Drops the TLB entry for one linear address (INVLPG). */
  invlpg(lin: number): void { flushPage(this, lin | 0); }
  /** The cached translations, for the monitor: [linear page, physical page, Tlb bits]. Allocates. */
  tlbEntries(): Iterable<[number, number, number]> { return listTlb(this); }
  /** Recomputes state derived from CS/SS attributes, CR0, CR4 and EFLAGS.VM (code size, decode caches). */
  onModeChange(): void {
    const pe = (this.cr0 & CR0.PE) !== 0;
    const vm = (this.flags & F.VM) !== 0;
    this.pmode = pe && !vm;
    this.vm86 = pe && vm;
    this.code32 = this.pmode && (this.segAttr[S.CS] & Attr.DB) !== 0;
    this.stack32 = this.pmode && (this.segAttr[S.SS] & Attr.DB) !== 0;
    const user = this.cpl === 3;
    this.user = user;
    this.rmask = Tlb.V | Tlb.RAM | (user ? Tlb.UR : 0);
    this.wmask = Tlb.V | Tlb.RAM | Tlb.NC | Tlb.D | (user ? Tlb.UW : Tlb.SW);
    this.winLen = 0;
    this.ipEnd = 0;
    this.blockEnd = true;
    this.os32 = this.as32 = this.code32;
    this.prefixed = true;
  }

  /** Power-on reset: clears the core's state and lets system.ts load the reset register values. */
  reset(): void {
    this.regs.fill(0);
    this.dr.fill(0);
    this.dr[6] = 0xffff0ff0 | 0;
    this.dr[7] = 0x400;
    this.lfOp = Lf.None;
    this.flags = 2;
    this.cr0 = CR0.ET;
    this.cr2 = this.cr3 = this.cr4 = 0;
    fpuReset(this.fpu);
    this.halted = this.shutdown = this.stopRequested = this.shadow = false;
    this.ssShadow = this.stepHeld = false;
    this.cyc = 0;
    this.instructions = 0;
    this.lastException = this.lastErrorCode = -1;
    this.exceptionHeld = false;
    this.segOvr = -1;
    this.rep = 0;
    flushAll(this);
    resetCpu(this);
    this.onModeChange();
  }

  /** Called by system.ts (or the core) on a triple fault: the run loop returns Stop.TripleFault. */
  tripleFault(): void {
    this.shutdown = true;
    this.halted = true;
    this.onTripleFault();
  }

  /**
   * Executes guest instructions until clock.cycles >= untilCycle, a HLT with nothing able to
   * wake it before then (Stop.Halted: the caller may let guest time pass and call again),
   * requestStop() (Stop.Requested), or a triple fault. Runs due clock events itself at
   * slice boundaries (so device interrupts arrive on time) and checks interrupts between blocks.
   */
  run(untilCycle: number): Stop {
    return runLoop(this, untilCycle);
  }

  /** Asks `run` to return at the next instruction boundary. Safe from device and I/O callbacks. */
  requestStop(): void {
    this.stopRequested = true;
  }
}
