// Test-only user-program loader (NOT the kernel): runs a static i386 Linux ELF in ring 3
// on a FlatMachine with paging on, with a SysV initial stack and just enough of the
// Linux system-call ABI for the differential test programs and musl's start-up:
// write, writev, exit, exit_group, brk, mmap2/munmap (anonymous), set_thread_area,
// set_tid_address, and -ENOSYS for the rest.

import { type CPU, R } from "../../emulator/cpu/cpu.ts";
import { FlatMachine, TLS_ENTRY_MIN, TLS_ENTRIES, describeTrap } from "./flat-machine.ts";
import { NR } from "../../kernel/syscalls/numbers.ts";

export interface UserRunResult {
  stdout: string;
  stderr: string;
  /** Exit status, or null when the program did not exit. */
  exitCode: number | null;
  /** Why the run ended when it was not an exit: "vector 13 (#GP) error 0x0 at eip ...", "budget", ... */
  failure: string | null;
  cycles: number;
  instructions: number;
}

export interface UserRunOptions {
  argv?: string[];
  /** Cycle budget (default 20 G cycles). */
  maxCycles?: number;
  ramBytes?: number;
}

const ENOSYS = 38;
const EFAULT = 14;
const ENOMEM = 12;
const EINVAL = 22;

const STACK_TOP = 0xbfff0000;
const STACK_PAGES = 64;
const MMAP_BASE = 0x40000000;

interface Segment {
  vaddr: number;
  memsz: number;
  filesz: number;
  offset: number;
  writable: boolean;
}

interface ElfInfo {
  entry: number;
  phdrAddr: number;
  phnum: number;
  segments: Segment[];
}

/** Parses a static little-endian i386 ELF executable; throws Error on anything else. */
export function parseElf(bytes: Uint8Array): ElfInfo {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 52 || dv.getUint32(0, false) !== 0x7f454c46) throw new Error("not an ELF file");
  if (bytes[4] !== 1 || bytes[5] !== 1 || dv.getUint16(18, true) !== 3) throw new Error("not an ELF32 i386 file");
  if (dv.getUint16(16, true) !== 2) throw new Error("not a static executable (ET_EXEC)");
  const entry = dv.getUint32(24, true);
  const phoff = dv.getUint32(28, true);
  const phentsize = dv.getUint16(42, true);
  const phnum = dv.getUint16(44, true);
  const segments: Segment[] = [];
  let phdrAddr = 0;
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    const type = dv.getUint32(o, true);
    const offset = dv.getUint32(o + 4, true);
    const vaddr = dv.getUint32(o + 8, true);
    const filesz = dv.getUint32(o + 16, true);
    const memsz = dv.getUint32(o + 20, true);
    const flags = dv.getUint32(o + 24, true);
    if (type === 6) phdrAddr = vaddr; // PT_PHDR
    if (type === 3) throw new Error("dynamically linked (PT_INTERP)");
    if (type !== 1) continue; // PT_LOAD
    segments.push({ vaddr, memsz, filesz, offset, writable: (flags & 2) !== 0 });
    if (phdrAddr === 0 && offset <= phoff && phoff < offset + filesz) phdrAddr = vaddr + (phoff - offset);
  }
  return { entry, phdrAddr, phnum, segments };
}

/**
 * A user process on a FlatMachine: loads the ELF, builds the initial stack and services
 * system calls. The machine is owned by the process.
 */
export class UserProcess {
  readonly machine: FlatMachine;
  private readonly out: number[] = [];
  private readonly err: number[] = [];
  exitCode: number | null = null;
  private brkStart = 0;
  private brkCur = 0;
  private mmapNext = MMAP_BASE;

  constructor(elf: Uint8Array, argv: string[], ramBytes?: number) {
    const m = new FlatMachine(ramBytes);
    this.machine = m;
    const info = parseElf(elf);
    let end = 0;
    for (const s of info.segments) {
      for (let a = s.vaddr & ~0xfff; a < s.vaddr + s.memsz; a += 0x1000) m.mapUser(a, s.writable);
      if (!m.writeUser(s.vaddr, elf.subarray(s.offset, s.offset + s.filesz))) throw new Error("ELF segment mapping failed");
      end = Math.max(end, s.vaddr + s.memsz);
    }
    this.brkStart = this.brkCur = (end + 0xfff) & ~0xfff;
    const sp = this.buildStack(info, argv);
    m.onSyscall = (cpu) => this.syscall(cpu);
    m.enterRing3(info.entry, sp);
  }

  /** SysV i386 initial stack: argc, argv[], NULL, envp[] (empty), NULL, auxv pairs, AT_NULL. */
  private buildStack(info: ElfInfo, argv: string[]): number {
    const m = this.machine;
    for (let i = 1; i <= STACK_PAGES; i++) m.mapUser(STACK_TOP - i * 0x1000, true);
    let sp = STACK_TOP;
    const enc = new TextEncoder();
    const argPtrs: number[] = [];
    for (const a of argv) {
      const b = enc.encode(a + "\0");
      sp -= b.length;
      m.writeUser(sp, b);
      argPtrs.push(sp);
    }
    sp -= 16;
    const random = sp;
    m.writeUser(random, Uint8Array.from({ length: 16 }, (_, i) => (i * 37 + 11) & 0xff));
    sp &= ~15;
    const auxv = [
      3, info.phdrAddr, 4, 32, 5, info.phnum, 6, 4096, 9, info.entry, 11, 0, 12, 0, 13, 0, 14, 0, 23, 0, 25, random, 0, 0,
    ];
    const words = [argv.length, ...argPtrs, 0, 0, ...auxv];
    sp -= words.length * 4;
    sp &= ~15;
    const buf = new Uint8Array(words.length * 4);
    const dv = new DataView(buf.buffer);
    words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
    m.writeUser(sp, buf);
    return sp;
  }

  private write(fd: number, data: Uint8Array): void {
    const sink = fd === 2 ? this.err : this.out;
    for (const b of data) sink.push(b);
  }

  /** Services int 0x80: returns the value for EAX (negative errno on error). */
  private syscall(cpu: CPU): number {
    const m = this.machine;
    const r = cpu.regs;
    const nr = r[R.EAX];
    const a = r[R.EBX] >>> 0, b = r[R.ECX] >>> 0, c = r[R.EDX] >>> 0;
    switch (nr) {
      case NR.exit:
      case NR.exit_group:
        this.exitCode = a & 0xff;
        cpu.requestStop();
        return 0;
      case NR.write: { // write(fd, buf, len)
        if (a !== 1 && a !== 2) return -9;
        const data = m.readUser(b, c);
        if (!data) return -EFAULT;
        this.write(a, data);
        return c;
      }
      case NR.writev: { // writev(fd, iov, n)
        if (a !== 1 && a !== 2) return -9;
        let total = 0;
        for (let i = 0; i < c; i++) {
          const iov = m.readUser(b + i * 8, 8);
          if (!iov) return -EFAULT;
          const dv = new DataView(iov.buffer);
          const base = dv.getUint32(0, true), len = dv.getUint32(4, true);
          const data = m.readUser(base, len);
          if (!data) return -EFAULT;
          this.write(a, data);
          total += len;
        }
        return total;
      }
      case NR.brk: {
        if (a === 0 || a < this.brkStart) return this.brkCur;
        if (a > this.brkStart + (64 << 20)) return this.brkCur;
        for (let p = this.brkCur; p < a; p += 0x1000) m.mapUser(p, true);
        this.brkCur = (a + 0xfff) & ~0xfff;
        return a;
      }
      case NR.mmap2: { // mmap2(addr, len, prot, flags, fd, pgoff): anonymous private only
        const flags = r[R.ESI] >>> 0;
        if ((flags & 0x20) === 0) return -ENOSYS;
        if (b === 0) return -EINVAL;
        const len = (b + 0xfff) & ~0xfff;
        if (this.mmapNext + len > 0xb0000000) return -ENOMEM;
        const at = this.mmapNext;
        for (let p = at; p < at + len; p += 0x1000) m.mapUser(p, true);
        this.mmapNext += len + 0x1000;
        return at;
      }
      case NR.munmap: // pages stay mapped (the tests never reuse them)
      case NR.madvise:
      case NR.rt_sigprocmask:
      case NR.rt_sigaction:
        return 0;
      case NR.set_tid_address:
      case NR.getpid:
      case NR.gettid:
        return 1;
      case NR.set_thread_area: // set_thread_area(struct user_desc *)
        return this.setThreadArea(a);
      default:
        return -ENOSYS;
    }
  }

  /** Installs a GDT TLS descriptor from a Linux struct user_desc (entry -1: first free). */
  private setThreadArea(ptr: number): number {
    const m = this.machine;
    const ud = m.readUser(ptr, 16);
    if (!ud) return -EFAULT;
    const dv = new DataView(ud.buffer);
    let entry = dv.getInt32(0, true);
    const base = dv.getUint32(4, true);
    const limit = dv.getUint32(8, true);
    const flags = dv.getUint32(12, true);
    if (entry === -1) {
      entry = TLS_ENTRY_MIN;
      dv.setInt32(0, entry, true);
      if (!m.writeUser(ptr, ud.subarray(0, 4))) return -EFAULT;
    }
    if (entry < TLS_ENTRY_MIN || entry >= TLS_ENTRY_MIN + TLS_ENTRIES) return -EINVAL;
    const seg32 = flags & 1, contents = (flags >>> 1) & 3, roExec = (flags >>> 3) & 1;
    const pages = (flags >>> 4) & 1, notPresent = (flags >>> 5) & 1, useable = (flags >>> 6) & 1;
    const type = (contents << 2) | ((roExec ^ 1) << 1) | 1; // data/code type with accessed set
    const access = 0x10 | (3 << 5) | (notPresent ? 0 : 0x80) | type;
    const lo = ((base & 0xffff) << 16) | (limit & 0xffff);
    const hi =
      (base & 0xff000000) | ((base >>> 16) & 0xff) | (access << 8) | (limit & 0xf0000) | (useable << 20) |
      (seg32 << 22) | (pages << 23);
    m.setGdtEntry(entry, lo | 0, hi | 0);
    return 0;
  }

  /** Runs to exit, a guest exception, or the cycle budget. */
  run(maxCycles: number): UserRunResult {
    const m = this.machine;
    const how = m.runUntil(maxCycles, () => this.exitCode !== null);
    let failure: string | null = null;
    if (this.exitCode === null) {
      if (how === "trap" && m.trap) failure = describeTrap(m.trap, m.cpu.cr2);
      else failure = how === "budget" ? `cycle budget of ${maxCycles} exhausted at eip 0x${(m.cpu.eip >>> 0).toString(16)}` : how;
    }
    const dec = new TextDecoder();
    return {
      stdout: dec.decode(Uint8Array.from(this.out)),
      stderr: dec.decode(Uint8Array.from(this.err)),
      exitCode: this.exitCode,
      failure,
      cycles: m.clock.cycles,
      instructions: m.cpu.instructions,
    };
  }
}

/** Loads and runs a static i386 ELF to completion under the test-only loader. */
export function runUserElf(elf: Uint8Array, opts: UserRunOptions = {}): UserRunResult {
  const p = new UserProcess(elf, opts.argv ?? ["prog"], opts.ramBytes);
  return p.run(opts.maxCycles ?? 20_000_000_000);
}
