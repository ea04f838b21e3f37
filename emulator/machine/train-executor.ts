// Type feedback for the executor before it runs guest code.
//
// V8 optimizes dispatch.ts runInstructions, one large function, once it is hot. A path of
// it that never ran before then (an instruction form the guest had not used yet) has no
// type feedback, and reaching it later deoptimizes the whole function ("Insufficient type
// feedback", node --trace-deopt): the executor runs unoptimized until V8 has compiled it
// again, which for a function this large takes long. A busybox pipeline's first run met
// many of these. So each thread, before its first machine runs, executes one instruction
// of every opcode under a few ModR/M forms, prefixes, flag states and TLB states on a
// throwaway machine in user mode (privileged ones fault, and a fault only stops the run:
// stopOnException). Nothing of it is guest-visible: the machine, its memory and caches are
// its own; a region it compiles (jit.ts `compiled`) is keyed by its code, as any is.

import type { PhysicalMemory } from "../memory/physmem.ts";
import { CR0, S, type CPU } from "../cpu/cpu.ts";
import { disassemble } from "../cpu/disasm.ts";
import { IC_STRIDE } from "../cpu/icache.ts";

/** The RAM the training machine needs (its memory below 0x80000 is used). */
export const TRAIN_RAM = 0x100000;
const CODE = 0x10000;
const PT = 0x7e000;
const PD = 0x7f000;
/** Data and stack: linear 0xbffe0000 (high, as a Linux process's stack: addresses past 2^31) on physical 0x50000. */
const DATA = 0xbffe0000 | 0;
const DATA_PHYS = 0x50000;
const DATA_PT = 0x7d000;
const SLOT = 16;

/** ModR/M (and SIB, displacement) forms with reg field 0: a register, [ecx], [esp+8], [esi+ecx*4+16], [disp32], [ebp+16]. */
const MODRM = [[0xc1], [0x01], [0x44, 0x24, 0x08], [0x84, 0x8e, 0x10, 0, 0, 0], [0x05, 0x00, 0x00, 0xfe, 0xbf], [0x45, 0x10]];
/** Bytes after the ModR/M form: an immediate of 0xbffe0001 (also an address in DATA). */
const IMM = [0x01, 0x00, 0xfe, 0xbf, 0x00];
/** Opcodes whose ModR/M reg field selects the operation (0x0f xx as 0x1xx), tried with each. */
const GROUPS = new Set([0x80, 0x81, 0x83, 0x8f, 0xc0, 0xc1, 0xc6, 0xc7, 0xd0, 0xd1, 0xd2, 0xd3, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xf6, 0xf7, 0xfe, 0xff, 0x100, 0x101, 0x1ba, 0x1c7, 0x1ae]);
const PREFIX_BYTES = new Set([0x0f, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3]);
/** Instructions that leave the lazy flag record of each kind: add, sub, and, inc, dec, adc, sbb, shl. */
const SETTERS = [[0x01, 0xc8], [0x29, 0xc8], [0x21, 0xc8], [0x40], [0x48], [0x11, 0xc8], [0x19, 0xc8], [0xd1, 0xe0]];

let trained = false;

/**
 * The instructions tried, each once (by its bytes, as long as the disassembler makes
 * it): every opcode with each ModR/M form (each reg field for the groups), without a
 * prefix, with 0x66, with GS (a process's TLS) and, for string instructions, with REP.
 */
function samples(): number[][] {
  const seen = new Set<string>();
  const out: number[][] = [];
  const add = (b: number[]): void => {
    const d = disassemble((o) => b[o] ?? 0x100, 0);
    if (d.text.includes("(bad)")) return;
    const key = b.slice(0, d.length).join(",");
    if (seen.has(key)) return;
    seen.add(key);
    out.push(b);
  };
  for (let op = 0; op < 0x200; op++) {
    if (op < 0x100 && PREFIX_BYTES.has(op)) continue;
    const opcode = op < 0x100 ? [op] : [0x0f, op & 0xff];
    const regs = GROUPS.has(op) ? 8 : 1;
    for (const [m, ...rest] of MODRM) {
      for (let reg = 0; reg < regs; reg++) {
        const b = [...opcode, m | (reg << 3), ...rest, ...IMM];
        add(b);
        add([0x66, ...b]);
        if (m !== 0xc1) add([0x65, ...b]);
        if ((op >= 0xa4 && op <= 0xaf) || op === 0x6c || op === 0x6d) add([0xf3, ...b]);
      }
    }
  }
  return out;
}

/**
 * Runs the training once per thread (later calls return at once) on the machine `make`
 * returns, a fresh one of TRAIN_RAM bytes (a machine as the guest's will be, so that V8
 * sees the same object shapes), which is garbage afterwards. Throws nothing a guest
 * instruction can cause.
 */
export function trainExecutor(make: () => { cpu: CPU; mem: PhysicalMemory }): void {
  if (trained) return;
  trained = true;
  const { cpu, mem } = make();
  train(cpu, mem);
}

/**
 * The training on `cpu`, a fresh machine's of at least TRAIN_RAM bytes of RAM `mem`.
 * Result: the executor handlers (records.ts H) of the instructions it decoded.
 */
export function train(cpu: CPU, mem: PhysicalMemory): Set<number> {
  cpu.reset();
  cpu.stopOnException = true;
  for (let i = 0; i < 0x80; i++) mem.write32(PT + i * 4, (i << 12) | 7);
  for (let i = 0; i < 0x10; i++) mem.write32(DATA_PT + (((DATA >>> 12) + i) & 0x3ff) * 4, (DATA_PHYS + (i << 12)) | 7);
  mem.write32(PD, PT | 7);
  mem.write32(PD + (DATA >>> 22) * 4, DATA_PT | 7);
  const code = samples();
  const setters = CODE + code.length * SLOT;
  code.forEach((b, i) => mem.writeBytes(CODE + i * SLOT, Uint8Array.from(b)));
  SETTERS.forEach((b, i) => mem.writeBytes(setters + i * SLOT, Uint8Array.from(b)));
  cpu.cr3 = PD;
  cpu.cr0 |= CR0.PE | CR0.PG;

  /** Runs the instruction at `eip` in a reset user context (EFLAGS kept when null); true when it faulted. */
  const enter = (eip: number, eflags: number | null): boolean => {
    for (let s = 0; s < 6; s++) {
      cpu.segSel[s] = s === S.CS ? 0x1b : 0x23;
      cpu.segBase[s] = 0;
      cpu.segLimit[s] = -1;
      cpu.segAttr[s] = (s === S.CS ? 0xfb : 0xf3) | 0xc000;
    }
    cpu.cpl = 3;
    for (let r = 0; r < 8; r++) cpu.regs[r] = DATA;
    cpu.regs[1] = 0x10;
    cpu.regs[4] = DATA + 0x8000;
    if (eflags !== null) cpu.setEflags(eflags);
    cpu.halted = false;
    cpu.eip = eip;
    cpu.onModeChange();
    cpu.run(cpu.clock.cycles + 1);
    return cpu.takeException() !== null;
  };
  // each sample with the TLB empty (the slow paths) and the flags all set in EFLAGS, then
  // with the TLB kept (the fast paths) after one of the flag setters (a lazy record of
  // each kind); one that faulted the first time is not run again
  const faulted = new Uint8Array(code.length);
  for (let i = 0; i < code.length; i++) {
    cpu.flushTlb();
    if (enter(CODE + i * SLOT, 0xad7)) faulted[i] = 1;
  }
  for (let i = 0; i < code.length; i++) {
    if (faulted[i]) continue;
    enter(setters + (i % SETTERS.length) * SLOT, 0x202);
    enter(CODE + i * SLOT, null);
  }
  const rec = cpu.icache.rec;
  const handlers = new Set<number>();
  for (let k = 0; k < rec.length; k += IC_STRIDE) if (rec[k] !== 0) handlers.add(rec[k] & 0xff);
  return handlers;
}
