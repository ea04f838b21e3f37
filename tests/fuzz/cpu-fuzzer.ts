// The CPU fuzzer's engine: random instruction byte sequences run in ring 3 under paging
// on a FlatMachine whose every IDT vector leads to a stub that reports the exception and
// ends the case. A case ends in a guest exception, an exit (int 0x80 with EAX = 1), or its
// cycle budget; a host exception (anything thrown out of cpu.run) is a failure, reported
// with the seed, case number and bytes so it can be replayed alone (--seed S --case I).

import { CPU_FAULT, R } from "../../emulator/cpu/cpu.ts";
import { JIT_THRESHOLD, flushCodeCache } from "../../emulator/cpu/icache.ts";
import { FlatMachine, EXCEPTION_NAMES } from "../support/flat-machine.ts";

const CODE = 0x00400000; // one writable user page, 0xCC (int3) around the case bytes
const CODE_AT = CODE + 0x800;
const DATA = 0x00500000; // two user data pages the random pointers aim at
const STACK = 0x00600000; // one user stack page
const KERNEL_AREA_BYTES = 0x22000; // GDT, IDT, TSS, stubs, page directory, first page tables

export interface FuzzOptions {
  seed: number;
  cases: number;
  /** First case number (replaying one case: first = I, cases = 1). */
  first?: number;
  bytesPerCase?: number;
  cyclesPerCase?: number;
  /** Privilege level the random code runs at (default 3). Ring 0 may rewrite every system
   *  register and table; each case starts from the saved kernel area and system registers. */
  ring?: 0 | 3;
  /** Called for each host failure as it happens. */
  onFailure?: (f: FuzzFailure) => void;
  /**
   * Runs each case twice, through the interpreter alone and with every entry compiled at
   * once (CPU.jitThreshold 0), and counts a failure when the two end in different states
   * (registers, EFLAGS, EIP, cycles, instructions, outcome, data and stack pages).
   */
  compareJit?: boolean;
}

export interface FuzzFailure {
  seed: number;
  caseNo: number;
  bytes: string;
  error: string;
}

export interface FuzzSummary {
  seed: number;
  cases: number;
  exceptions: Map<number, number>;
  exits: number;
  budgetOuts: number;
  tripleFaults: number;
  halts: number;
  failures: FuzzFailure[];
  instructions: number;
  seconds: number;
  /** With compareJit: regions the compiled runs compiled. */
  regions: number;
}

/** mulberry32: a small deterministic PRNG; returns uint32 values. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

function newMachine(): { m: FlatMachine; snapshot: Uint8Array; exited: { v: boolean } } {
  const m = new FlatMachine(8 << 20);
  m.mapUser(CODE, true);
  m.mapUser(DATA, true);
  m.mapUser(DATA + 0x1000, true);
  m.mapUser(STACK, true);
  const exited = { v: false };
  m.onSyscall = (cpu) => {
    if (cpu.regs[R.EAX] === 1 || cpu.regs[R.EAX] === 252) {
      exited.v = true;
      cpu.requestStop();
      return 0;
    }
    return -38;
  };
  return { m, snapshot: m.mem.ram.slice(0, KERNEL_AREA_BYTES), exited };
}

/** Runs the fuzz cases and returns the tally. Deterministic for a given seed. */
export function fuzzCpu(opts: FuzzOptions): FuzzSummary {
  const len = opts.bytesPerCase ?? 16;
  const budget = opts.cyclesPerCase ?? 20_000;
  const first = opts.first ?? 0;
  const ring = opts.ring ?? 3;
  const sum: FuzzSummary = {
    seed: opts.seed >>> 0, cases: 0, exceptions: new Map(), exits: 0, budgetOuts: 0, tripleFaults: 0, halts: 0,
    failures: [], instructions: 0, seconds: 0, regions: 0,
  };
  let st = newMachine();
  // the compiled runs have a machine of their own, in step with st (same cycle count, so
  // RDTSC reads the same)
  let sj = opts.compareJit ? newMachine() : st;
  const st0 = () => st;
  const page = new Uint8Array(4096);
  const data = new Uint8Array(8192);
  const dv = new DataView(data.buffer);
  const t0 = performance.now();
  /** Sets case n up on st, runs it (compiled from the first entry when `jit`), returns how it ended and its end state. */
  const runCase = (n: number, bytes: Uint8Array, jit: boolean): { how: string; vector: number; ran: number; end: number[] } => {
    const st = jit ? sj : st0();
    const rnd = prng((opts.seed ^ Math.imul(n + 1, 0x9e3779b1)) >>> 0);
    for (let i = 0; i < len; i++) rnd(); // the case's bytes come first from its generator
    const { m } = st;
    const cpu = m.cpu;
    cpu.useJit = jit;
    cpu.jitThreshold = jit ? 0 : JIT_THRESHOLD;
    cpu.jitWarmup = 0;
    cpu.jitYoungRuns = 0; // (cases are short: regions run whole from their first run)
    m.mem.ram.set(st.snapshot, 0);
    if (ring === 0) {
      m.resetSystemRegisters();
      cpu.irq = { hasInterrupt: () => false, acknowledge: () => 0 };
    }
    page.fill(0xcc);
    page.set(bytes, CODE_AT - CODE);
    m.writeUser(CODE, page);
    for (let i = 0; i < 64; i += 4) dv.setUint32(i, rnd());
    for (let i = 64; i < data.length; i += 64) data.copyWithin(i, 0, 64); // 64 random bytes, tiled
    m.writeUser(DATA, data);
    m.writeUser(STACK, page.fill(0));
    // a page rewritten this often stops being cached (icache.ts smc); compared runs
    // start each case with an empty cache so that its code is cached and compiled
    if (opts.compareJit) flushCodeCache(cpu);
    st.exited.v = false;
    cpu.flushTlb();
    for (let r = 0; r < 8; r++) {
      const k = rnd() & 3;
      cpu.regs[r] = k === 0 ? rnd() : k === 1 ? DATA + (rnd() & 0x1ffc) : k === 2 ? rnd() & 0xff : 0;
    }
    cpu.regs[R.ESP] = STACK + 0x800 + (rnd() & 0x1fc);
    const eflags = 0x202 | (rnd() & 0x8d5) | (rnd() & 1 ? 0x400 : 0);
    m.enterRing(ring, CODE_AT, cpu.regs[R.ESP], eflags);
    const before = cpu.instructions;
    const cycles0 = m.clock.cycles;
    const how = m.runUntil(budget, () => st.exited.v, budget);
    const vector = how === "trap" && m.trap ? m.trap.vector : -1;
    const ran = cpu.instructions - before;
    if (!opts.compareJit) return { how, vector, ran, end: [] };
    let sumData = 0;
    for (const [lin, n] of [[DATA, 8192], [STACK, 4096]] as const) {
      const b = m.readUser(lin, n);
      if (b !== null) for (let i = 0; i < b.length; i++) sumData = (Math.imul(sumData, 31) + b[i]) | 0;
    }
    return { how, vector, ran, end: [...cpu.regs, cpu.getEflags(), cpu.eip, m.clock.cycles - cycles0, ran, vector, sumData] };
  };
  for (let n = first; n < first + opts.cases; n++) {
    const rnd = prng((opts.seed ^ Math.imul(n + 1, 0x9e3779b1)) >>> 0);
    const bytes = new Uint8Array(len);
    for (let i = 0; i < len; i++) bytes[i] = rnd() & 0xff;
    const cpu = st.m.cpu;
    try {
      const r = runCase(n, bytes, false);
      sum.instructions += r.ran;
      if (r.vector >= 0) sum.exceptions.set(r.vector, (sum.exceptions.get(r.vector) ?? 0) + 1);
      else if (r.how === "stopped") sum.exits++;
      else if (r.how === "budget") sum.budgetOuts++;
      else if (r.how === "triple") sum.tripleFaults++;
      else sum.halts++;
      if (opts.compareJit) {
        const compiled0 = sj.m.cpu.icache.compiledRegions;
        const j = runCase(n, bytes, true);
        sum.regions += sj.m.cpu.icache.compiledRegions - compiled0;
        if (j.end.some((v, i) => v !== r.end[i])) {
          throw new Error(`compiled run differs: interpreter [${r.end.map((v) => (v >>> 0).toString(16))}], compiled [${j.end.map((v) => (v >>> 0).toString(16))}] (eax..edi, eflags, eip, cycles, instructions, vector, data sum)`);
        }
      }
    } catch (e) {
      const error = e === CPU_FAULT ? `CPU_FAULT escaped run() (vector ${cpu.faultVector})` : e instanceof Error ? (e.stack ?? e.message) : String(e);
      const f = { seed: sum.seed, caseNo: n, bytes: hex(bytes), error };
      sum.failures.push(f);
      opts.onFailure?.(f);
      st = newMachine(); // the old ones may be in any state
      if (opts.compareJit) sj = newMachine();
    }
    sum.cases++;
  }
  sum.seconds = (performance.now() - t0) / 1000;
  return sum;
}

/** The summary as a printable table. */
export function formatSummary(s: FuzzSummary): string {
  const rows: [string, string][] = [
    ["seed", `0x${s.seed.toString(16)}`],
    ["cases", String(s.cases)],
  ];
  const vecs = [...s.exceptions.keys()].sort((a, b) => a - b);
  for (const v of vecs) {
    rows.push([`  exception ${v} ${EXCEPTION_NAMES[v] ?? `(int 0x${v.toString(16)})`}`, String(s.exceptions.get(v))]);
  }
  rows.push(
    ["exits (int 0x80, eax=1)", String(s.exits)],
    ["budget-outs", String(s.budgetOuts)],
    ["triple faults", String(s.tripleFaults)],
    ["halts", String(s.halts)],
    ["host failures", String(s.failures.length)],
    ["guest instructions", String(s.instructions)],
    ...(s.regions > 0 ? [["regions compiled (compared runs)", String(s.regions)] as [string, string]] : []),
    ["cases/s", s.seconds > 0 ? Math.round(s.cases / s.seconds).toString() : "-"],
  );
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join("\n");
}
