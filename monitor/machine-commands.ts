// The monitor's machine commands, named as in QEMU's monitor: info registers,
// info tlb, info mem, info pic, x, xp, stop, cont, step, break, delete, watch.
// They see only the emulator (CPU, MMU, physical memory, devices).

import { type CPU, CR0, CR4, F, S } from "../emulator/cpu/cpu.ts";
import { Tlb } from "../emulator/cpu/mmu.ts";
import type { Pic8259 } from "../emulator/devices/pic.ts";
import { disassemble } from "../emulator/cpu/disasm.ts";
import type { Machine } from "../emulator/machine/machine.ts";
import type { Debugger, StopReason } from "../emulator/gdb/debugger.ts";
import { walkPageTables } from "../emulator/cpu/pagewalk.ts";
import { CommandError, hex, hex8, parseCount, parseValue } from "./format.ts";

const SEG_NAMES = ["ES", "CS", "SS", "DS", "FS", "GS"];

/** QEMU-style register dump. */
export function infoRegisters(cpu: CPU): string {
  const r = cpu.registers();
  const g = r.gp;
  const fl = r.eflags;
  const flagChars = [[F.DF, "D"], [F.OF, "O"], [F.SF, "S"], [F.ZF, "Z"], [F.AF, "A"], [F.PF, "P"], [F.CF, "C"]] as const;
  const flagStr = flagChars.map(([b, ch]) => (fl & b ? ch : "-")).join("");
  const sel = (v: number): string => v.toString(16).padStart(4, "0");
  const lines = [
    `EAX=${hex8(g[0])} EBX=${hex8(g[3])} ECX=${hex8(g[1])} EDX=${hex8(g[2])}`,
    `ESI=${hex8(g[6])} EDI=${hex8(g[7])} EBP=${hex8(g[5])} ESP=${hex8(g[4])}`,
    `EIP=${hex8(r.eip)} EFL=${hex8(fl)} [${flagStr}] CPL=${r.cpl} IF=${fl & F.IF ? 1 : 0} HLT=${r.halted ? 1 : 0}`,
  ];
  r.seg.forEach(({ sel: s, base, limit, attr }, i) => {
    const gran = (attr & 0x8000) !== 0;
    const limHigh = ((gran ? limit >>> 12 : limit) >>> 16) & 0xf;
    const high = ((attr & 0xff) << 8) | (limHigh << 16) | (attr & 0x4000 ? 0x400000 : 0) | (gran ? 0x800000 : 0);
    lines.push(`${SEG_NAMES[i].padEnd(3)}=${sel(s)} ${hex8(base)} ${hex8(limit)} ${hex8(high)}`);
  });
  lines.push(`LDT=${sel(r.ldt.sel)} ${hex8(r.ldt.base)} ${hex8(r.ldt.limit)}`);
  lines.push(`TR =${sel(r.tr.sel)} ${hex8(r.tr.base)} ${hex8(r.tr.limit)} ${hex8((r.tr.attr & 0xff) << 8)}`);
  lines.push(`GDT=     ${hex8(r.gdt.base)} ${hex8(r.gdt.limit)}`);
  lines.push(`IDT=     ${hex8(r.idt.base)} ${hex8(r.idt.limit)}`);
  lines.push(`CR0=${hex8(r.cr0)} CR2=${hex8(r.cr2)} CR3=${hex8(r.cr3)} CR4=${hex8(r.cr4)}`);
  lines.push(`DR0=${hex8(r.dr[0])} DR1=${hex8(r.dr[1])} DR2=${hex8(r.dr[2])} DR3=${hex8(r.dr[3])}`);
  lines.push(`DR6=${hex8(r.dr[6])} DR7=${hex8(r.dr[7])}`);
  return lines.join("\n");
}

function tlbPerms(bits: number): string {
  return `user=${bits & Tlb.UR ? "r" : "-"}${bits & Tlb.UW ? "w" : "-"} sup=r${bits & Tlb.SW ? "w" : "-"}`;
}

/** One cached translation; `stale` says why a fresh walk of the current page tables would not produce it ("" when it would). */
export interface TlbEntryView {
  linear: number;
  phys: number;
  bits: number;
  stale: string;
}

/**
 * The TLB's entries by linear address, each checked against the current page
 * tables: stale when the page is unmapped now, maps another frame, allows
 * fewer rights, or is dirty in the TLB but clean in the PTE. Paging off:
 * nothing is stale (identity).
 */
export function tlbEntriesChecked(cpu: CPU): TlbEntryView[] {
  const r = cpu.registers();
  const paging = (r.cr0 & CR0.PG) !== 0;
  const wp = (r.cr0 & CR0.WP) !== 0;
  const out: TlbEntryView[] = [];
  for (const [lp, pp, bits] of [...cpu.tlbEntries()].sort((a, b) => a[0] - b[0])) {
    let why = "";
    if (paging) {
      const w = walkPageTables(cpu.mem, r.cr3, r.cr4, lp * 4096);
      if (!w.present) why = "not mapped in the page tables";
      else if (w.phys >>> 12 !== pp) why = `page tables map ${hex8(w.phys & ~0xfff)}`;
      else {
        const want = (w.user ? Tlb.UR : 0) | (w.user && w.writable ? Tlb.UW : 0) | (w.writable || !wp ? Tlb.SW : 0);
        const have = bits & (Tlb.UR | Tlb.UW | Tlb.SW);
        const dirtyNow = w.large ? (w.pde & 0x40) !== 0 : (w.pte & 0x40) !== 0;
        if ((have & ~want) !== 0) why = `page tables allow ${tlbPerms(want)}`;
        else if (bits & Tlb.D && !dirtyNow) why = "page tables say clean";
      }
    }
    out.push({ linear: lp * 4096, phys: pp * 4096, bits, stale: why });
  }
  return out;
}

/**
 * Every cached translation: "linear -> physical perms [dirty]", marking with
 * STALE the entries a fresh walk of the current page tables would not produce
 * (tlbEntriesChecked).
 */
export function infoTlb(cpu: CPU): string {
  const entries = tlbEntriesChecked(cpu);
  const paging = (cpu.registers().cr0 & CR0.PG) !== 0;
  const lines: string[] = [];
  let stale = 0;
  for (const e of entries) {
    let line = `${hex8(e.linear)} -> ${hex8(e.phys)} ${tlbPerms(e.bits)}${e.bits & Tlb.D ? " dirty" : ""}`;
    if (e.stale) {
      line += `  STALE (${e.stale})`;
      stale++;
    }
    lines.push(line);
  }
  lines.push(`${entries.length} entries${paging ? `, ${stale} stale` : " (paging off: identity)"}`);
  return lines.join("\n");
}

/** Mapped linear ranges of the current CR3, merged like QEMU's `info mem`: "start-end size urw". */
export function infoMem(cpu: CPU): string {
  const r = cpu.registers();
  if ((r.cr0 & CR0.PG) === 0) return "PG disabled";
  const mem = cpu.mem;
  const pd = (r.cr3 & ~0xfff) >>> 0;
  const lines: string[] = [];
  let start = -1;
  let end = 0;
  let perm = "";
  const emit = (): void => {
    if (start >= 0) lines.push(`${hex8(start)}-${hex8(end)} ${hex8(end - start)} ${perm}`);
    start = -1;
  };
  const add = (lin: number, size: number, p: string): void => {
    if (start >= 0 && end === lin && perm === p) {
      end = lin + size;
      return;
    }
    emit();
    start = lin;
    end = lin + size;
    perm = p;
  };
  for (let i = 0; i < 1024; i++) {
    const pde = mem.read32(pd + i * 4);
    if ((pde & 1) === 0) {
      emit();
      continue;
    }
    if (pde & 0x80 && r.cr4 & CR4.PSE) {
      add(i * 0x400000, 0x400000, `${pde & 4 ? "u" : "-"}r${pde & 2 ? "w" : "-"}`);
      continue;
    }
    const pt = (pde & ~0xfff) >>> 0;
    for (let j = 0; j < 1024; j++) {
      const pte = mem.read32(pt + j * 4);
      if ((pte & 1) === 0) {
        emit();
        continue;
      }
      const e = pde & pte;
      add(i * 0x400000 + j * 4096, 4096, `${e & 4 ? "u" : "-"}r${e & 2 ? "w" : "-"}`);
    }
  }
  emit();
  return lines.join("\n");
}

function picLine(name: string, p: Pic8259): string {
  const h2 = (v: number): string => (v & 0xff).toString(16).padStart(2, "0");
  return `${name}: irr=${h2(p.irr)} imr=${h2(p.imr)} isr=${h2(p.isr)} irq_base=${h2(p.vectorBase)} lines=${h2(p.lines)} ` +
    `level=${p.levelTriggered ? 1 : 0} aeoi=${p.autoEoi ? 1 : 0}${p.initialising ? " (initialising)" : ""}`;
}

/** The two 8259As' registers. */
export function infoPic(machine: Machine): string {
  return `${picLine("pic0", machine.pic.master)}\n${picLine("pic1", machine.pic.slave)}`;
}

/** Parsed /FMT of x and xp: count, format letter, unit size in bytes. */
export interface MemFormat {
  count: number;
  format: "x" | "d" | "u" | "c" | "i" | "o";
  size: 1 | 2 | 4;
}

/** Parses "10xw", "3i", "b" (QEMU's /FMT: count, format x d u o c i, size b h w). */
export function parseFormat(fmt: string): MemFormat {
  const out: MemFormat = { count: 1, format: "x", size: 4 };
  const m = /^([0-9]*)([a-z]*)$/.exec(fmt);
  if (!m) throw new CommandError(`bad format '/${fmt}'`);
  if (m[1]) out.count = parseInt(m[1], 10);
  for (const ch of m[2]) {
    if ("xduoci".includes(ch)) out.format = ch as MemFormat["format"];
    else if (ch === "b") out.size = 1;
    else if (ch === "h") out.size = 2;
    else if (ch === "w") out.size = 4;
    else throw new CommandError(`bad format letter '${ch}' (count, then x d u o c i, then b h w)`);
  }
  if (out.format === "c") out.size = 1;
  if (out.count > 4096) throw new CommandError("count too large (at most 4096)");
  return out;
}

/**
 * Memory dump for x (linear, through the current page tables) and xp (physical).
 * read(addr) returns a byte or -1 when unmapped.
 */
export function dumpMemory(cpu: CPU, addr: number, f: MemFormat, physical: boolean): string {
  const read = (a: number): number => {
    const pa = physical ? a >>> 0 : cpu.physAddrDebug(a >>> 0);
    if (pa < 0 || pa >= 0x1_0000_0000) return -1;
    return cpu.mem.read8(pa);
  };
  const lines: string[] = [];
  if (f.format === "i") {
    let a = addr >>> 0;
    const { pmode, code32 } = cpu.registers();
    for (let i = 0; i < f.count; i++) {
      if (read(a) < 0) {
        lines.push(`Cannot access memory at ${hex(a)}`);
        break;
      }
      const d = disassemble((k) => read(a + k), a, pmode && code32);
      lines.push(`${hex(a).padStart(10)}:  ${d.text}`);
      a = (a + d.length) >>> 0;
    }
    return lines.join("\n");
  }
  const perLine = f.format === "c" ? 8 : 16 / f.size;
  for (let i = 0; i < f.count; i += perLine) {
    const lineAddr = (addr + i * f.size) >>> 0;
    let line = `${hex8(lineAddr)}:`;
    for (let k = i; k < Math.min(f.count, i + perLine); k++) {
      const a = (addr + k * f.size) >>> 0;
      let v = 0;
      for (let b = 0; b < f.size; b++) {
        const x = read(a + b);
        if (x < 0) {
          if (k > i) lines.push(line);
          lines.push(`Cannot access memory at ${hex(a + b)}`);
          return lines.join("\n");
        }
        v += x * 2 ** (8 * b);
      }
      line += " " + formatUnit(v, f);
    }
    lines.push(line);
  }
  return lines.join("\n");
}

function formatUnit(v: number, f: MemFormat): string {
  const bits = f.size * 8;
  switch (f.format) {
    case "x": return "0x" + v.toString(16).padStart(f.size * 2, "0");
    case "u": return String(v);
    case "o": return "0" + v.toString(8);
    case "d": return String(v >= 2 ** (bits - 1) ? v - 2 ** bits : v);
    case "c": return v >= 0x20 && v < 0x7f ? `'${String.fromCharCode(v)}'` : `'\\x${v.toString(16).padStart(2, "0")}'`;
    default: return String(v);
  }
}

/** A watchpoint stop's write: which watchpoint, where, the value before and after. */
export function describeWatch(r: Extract<StopReason, { kind: "watchpoint" }>): string {
  return `watchpoint ${r.id}: write to ${hex(r.lin)} (${r.old < 0 ? "unmapped" : hex(r.old)} -> ${r.value < 0 ? "unmapped" : hex(r.value)})`;
}

/** One line describing a stop, as the monitor prints it. */
export function describeStop(r: StopReason, cpu: CPU): string {
  const at = (): string => {
    const { eip, seg, pmode, code32 } = cpu.registers();
    const d = disassemble((k) => {
      const pa = cpu.physAddrDebug((seg[S.CS].base + eip + k) >>> 0);
      return pa < 0 ? -1 : cpu.mem.read8(pa);
    }, eip, pmode && code32);
    return `${hex(eip)}:  ${d.text}`;
  };
  switch (r.kind) {
    case "request": return `stopped at ${at()}`;
    case "step": return at();
    case "breakpoint": return `breakpoint ${r.id} at ${at()}`;
    case "watchpoint": return `${describeWatch(r)}, now at ${at()}`;
    case "exception":
      return `exception ${r.vector} error ${r.errorCode < 0 ? "-" : hex(r.errorCode)} at ${hex(r.eip)} cr2 ${hex(r.cr2)} (held, not delivered yet)`;
    case "exit": return `guest exited with status ${r.status}`;
    case "triple-fault": return "triple fault";
    case "halted": return `CPU halted with interrupts disabled at ${r.cs.toString(16).padStart(4, "0")}:${r.eip.toString(16).padStart(8, "0")}`;
  }
}

/** stop / cont / step [n] / break EIP / delete [n] / watch VADDR [LEN]. Returns the output text. */
export function runControlCommand(name: string, args: string[], dbg: Debugger, cpu: CPU): string {
  switch (name) {
    case "stop":
      if (dbg.stopped) return "already stopped";
      dbg.stop();
      return dbg.stopped ? describeStop(dbg.lastStop!, cpu) : "stopping";
    case "cont":
      if (!dbg.stopped) return "not stopped";
      dbg.cont();
      return "";
    case "step": {
      const n = args.length > 0 ? parseCount(args[0], "step") : 1;
      if (!dbg.stopped) throw new CommandError("step: stop the machine first (stop)");
      return describeStop(dbg.step(n), cpu);
    }
    case "break": {
      if (args.length !== 1) throw new CommandError("usage: break EIP");
      const b = dbg.addBreakpoint(parseValue(args[0], cpu));
      return `breakpoint ${b.id} at ${hex(b.eip)}`;
    }
    case "delete": {
      const n = dbg.delete(args.length > 0 ? parseCount(args[0], "delete") : undefined);
      if (args.length > 0 && n === 0) throw new CommandError(`no breakpoint or watchpoint ${args[0]}`);
      return `deleted ${n}`;
    }
    case "watch": {
      if (args.length < 1 || args.length > 2) throw new CommandError("usage: watch VADDR [LEN]");
      const len = args.length === 2 ? parseCount(args[1], "watch") : 4;
      if (len < 1 || len > 4096) throw new CommandError("watch: LEN must be 1..4096");
      const w = dbg.addWatchpoint(parseValue(args[0], cpu), len);
      return `watchpoint ${w.id} on ${hex(w.lin)} len ${w.len}`;
    }
  }
  throw new CommandError(`unknown command ${name}`);
}

/** "info breakpoints": the breakpoints and watchpoints. */
export function infoBreakpoints(dbg: Debugger): string {
  const lines: string[] = [];
  for (const b of dbg.breakpoints.values()) lines.push(`${b.id}: break ${hex(b.eip)}`);
  for (const w of dbg.watchpoints.values()) lines.push(`${w.id}: watch ${hex(w.lin)} len ${w.len}`);
  return lines.length ? lines.join("\n") : "no breakpoints or watchpoints";
}
