// execve (Linux do_execve + load_elf_binary + load_script): find the file,
// follow `#!` interpreters, validate the ELF image and its PT_INTERP program
// interpreter (the dynamic linker), then, past the point of no return, give
// the task a fresh address space (execMm, the seed's exec_mm), map the
// segments, the interpreter (where an mmap would put it) and the stack, and
// point the trap frame at the interpreter's entry, or the program's.

import type { Kernel } from "../kernel.ts";
import type { Task } from "../proc/task.ts";
import { Rlimit, mmLimitsOf } from "../proc/task.ts";
import { EFLAGS_IOPL, Tf } from "../arch/trapframe.ts";
import { USER_CS, USER_DS } from "../arch/layout.ts";
import { Errno } from "../errno.ts";
import { AT_FDCWD, openFile } from "../fs/open.ts";
import { O_RDONLY, fput, type File } from "../fs/file.ts";
import { vfsRead } from "../fs/readwrite.ts";
import { S_IFMT, S_IFREG } from "../fs/mode.ts";
import { ET_EXEC, elfHeadersEnd, parseElf, PROT_EXEC, PROT_READ, PROT_WRITE, type ElfImage } from "./elf.ts";
import { parseScript, scriptArgv } from "./script.ts";
import { AT_BASE, buildInitialStack, linuxAuxv, setAuxv } from "./initstack.ts";
import { execMm } from "../mm/memory.ts";
import { MAP_ANONYMOUS, MAP_FIXED, MAP_GROWSDOWN, MAP_PRIVATE, doMmap, getUnmappedArea, securityMmapAddr } from "../mm/mmap.ts";
import type { Mm } from "../mm/mm.ts";
import type { FileBacking } from "../mm/filemap.ts";
import { copyToUser } from "../mm/uaccess.ts";
import { fileBacking } from "../filemap-bridge.ts";
import { doGroupExit } from "../proc/exit.ts";
import { futexWake } from "../proc/futex.ts";
import { SIG_DFL, SIG_IGN, Sig, SigHand } from "../signal/signals.ts";
import { panic } from "../panic.ts";
import { loadTls } from "../proc/tls.ts";
import { sasSsReset } from "../signal/altstack.ts";
import { ptraceExecNotify } from "../proc/ptrace.ts";
import { KERN_ERR } from "../printk.ts";

/** Top of the user stack (Linux STACK_TOP without randomisation). */
export const STACK_TOP = 0xc000_0000;
/** The initial stack area; it grows down on demand up to RLIMIT_STACK. */
const STACK_INITIAL = 128 * 1024;
/** Nesting of `#!` interpreters, as Linux's BINPRM_MAX_RECURSION. */
const MAX_SCRIPT_DEPTH = 4;

const PAGE = 4096;
const pageDown = (x: number) => Math.floor(x / PAGE) * PAGE;
const pageUp = (x: number) => Math.ceil(x / PAGE) * PAGE;

interface Loaded {
  file: File;
  /** The file's first bytes: enough for `#!` and the ELF and program headers (elfHeadersEnd). */
  image: Uint8Array;
  size: number;
}

/** The first read of an executable: Linux's BINPRM_BUF_SIZE is 256; a page holds the program headers too, almost always. */
const HEAD_READ = 4096;

function openExec(k: Kernel, t: Task, path: string): Loaded | number {
  const caller = t.fsCaller;
  const f = openFile(caller, AT_FDCWD, path, O_RDONLY, 0);
  if (typeof f === "number") return f;
  const inode = f.inode;
  if ((inode.mode & S_IFMT) !== S_IFREG) {
    fput(f);
    return -Errno.EACCES;
  }
  if ((inode.mode & 0o111) === 0) {
    fput(f);
    return -Errno.EACCES;
  }
  let data = vfsRead(caller, f, Math.min(inode.size, HEAD_READ));
  if (typeof data !== "number") {
    const need = Math.min(elfHeadersEnd(data), inode.size);
    if (need > data.length) {
      f.pos = 0;
      data = vfsRead(caller, f, need);
    }
  }
  if (typeof data === "number") {
    fput(f);
    return data;
  }
  return { file: f, image: data, size: inode.size };
}

/**
 * Replaces t's program with the executable at path (argv/envp as byte strings,
 * one char per byte). Returns 0 with the frame set to enter the new program, or
 * -errno with nothing changed; failures after the point of no return kill t.
 */
export function doExecve(k: Kernel, t: Task, path: string, argv: string[], envp: string[]): number {
  let loaded: Loaded | number = -Errno.ENOENT;
  let execPath = path;
  for (let depth = 0; ; depth++) {
    loaded = openExec(k, t, execPath);
    if (typeof loaded === "number") return loaded;
    const script = parseScript(loaded.image);
    if (script === null) break;
    fput(loaded.file);
    if (typeof script === "number") return script;
    if (depth >= MAX_SCRIPT_DEPTH) return -Errno.ELOOP;
    argv = scriptArgv(script, execPath, argv.length > 0 ? argv : [execPath]);
    execPath = script.interp;
  }
  const { file, image, size } = loaded;
  const elf = parseElf(image, undefined, size);
  if (!elf.ok) {
    fput(file);
    return elf.errno;
  }
  const backing = fileBacking(k.mmctx, file);
  if (typeof backing === "number") {
    fput(file);
    return -Errno.EACCES;
  }
  const interp = elf.interp === null ? null : openInterp(k, t, elf.interp);
  if (typeof interp === "number") {
    fput(file);
    return interp;
  }
  const random = k.randomBytes(16);
  const stack = buildInitialStack({
    stackTop: STACK_TOP,
    argv,
    envp,
    execfn: path,
    auxv: linuxAuxv({
      phdr: elf.phdrAddr, phent: elf.phent, phnum: elf.phnum, entry: elf.entry,
      ids: { uid: t.uid, euid: t.euid, gid: t.gid, egid: t.egid }, clktck: k.hz,
    }),
    random,
    platform: "i686",
    rlimitStack: t.rlim[Rlimit.STACK][0],
  });
  if (typeof stack === "number") {
    fput(file);
    if (interp) fput(interp.file);
    return stack;
  }

  // ---- point of no return
  if (!t.mm) panic("doExecve: task without mm");
  const oldMm = t.mm;
  const mm = execMm(oldMm, mmLimitsOf(t.rlim));
  if (typeof mm === "number") {
    fput(file);
    if (interp) fput(interp.file);
    return mm;
  }
  t.mm = mm;
  if (t === k.current || k.x86.cr3 === oldMm.pgd) k.x86.loadCr3(mm.pgd);
  const fail = (why: string) => {
    fput(file);
    if (interp) fput(interp.file);
    k.printk(`exec: ${path}: ${why}; killing pid ${t.pid}`, KERN_ERR);
    doGroupExit(k, t, Sig.SIGSEGV);
    return 0;
  };
  const brk = mapSegments(mm, elf, backing, t.euid === 0);
  if (typeof brk === "string") return fail(brk);
  let entry = elf.entry;
  if (interp) {
    // The interpreter goes where an mmap of its whole span would (Linux load_elf_interp).
    const base = interp.elf.type === ET_EXEC ? 0 : getUnmappedArea(mm, 0, interp.span);
    if (base < 0) return fail("no room for the program interpreter");
    const placed = parseElf(interp.image, base, interp.size) as ElfImage;
    const r = mapSegments(mm, placed, interp.backing, t.euid === 0);
    if (typeof r === "string") return fail(`interpreter ${elf.interp}: ${r}`);
    entry = placed.entry;
    setAuxv(stack, AT_BASE, base);
  }
  const stackProt = PROT_READ | PROT_WRITE | (elf.execStack ? PROT_EXEC : 0);
  const stackLow = pageDown(Math.min(stack.esp, STACK_TOP - STACK_INITIAL));
  if (doMmap(mm, null, stackLow, STACK_TOP - stackLow, stackProt, MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_GROWSDOWN) < 0) {
    return fail("cannot map the stack");
  }
  if (copyToUser(mm, stack.esp, stack.bytes) < 0) return fail("cannot write the stack");
  mm.startCode = elf.startCode; mm.endCode = elf.endCode;
  mm.startData = elf.startData; mm.endData = elf.endData;
  mm.startBrk = mm.brk = elf.brkStart || brk;
  mm.startStack = stack.esp;
  mm.argStart = stack.argStart; mm.argEnd = stack.argEnd;
  mm.envStart = stack.envStart; mm.envEnd = stack.envEnd;
  fput(file);
  if (interp) fput(interp.file);

  // The rest of the process image: descriptors, signals, TLS, names.
  t.files?.closeOnExec();
  if (t.sighand.refs > 1) {
    t.sighand.refs--;
    t.sighand = t.sighand.clone();
  }
  for (let sig = 1; sig < t.sighand.action.length; sig++) {
    const a = t.sighand.action[sig];
    if (a.handler !== SIG_IGN) a.handler = SIG_DFL;
    a.flags = 0;
    a.restorer = 0;
    a.mask.set(0, 0);
  }
  void SigHand;
  sasSsReset(t); // execve(2): the alternate signal stack is not preserved
  k.setFpuState(t, null); // a fresh FPU: FNINIT, control word 0x037F
  t.tls.fill(0);
  if (t === k.current) loadTls(k, t);
  if (t.clearChildTid !== 0 && oldMm !== mm) {
    if (copyToUser(oldMm, t.clearChildTid, new Uint8Array(4)) === 0) futexWake(k, oldMm, t.clearChildTid, 1);
  }
  t.clearChildTid = 0;
  if (t.vforkDone) {
    t.vforkDone.wakeUp();
    t.vforkDone = null;
  }
  t.comm = basename(execPath).slice(0, 15);
  t.exePath = execPath;
  t.cmdline = Uint8Array.from((argv.join("\0") + "\0").split("").map((c) => c.charCodeAt(0) & 0xff));

  for (let off = 0; off < Tf.USER_SS + 4; off += 4) k.frameWrite(t, off, 0);
  for (const off of [Tf.DS, Tf.ES, Tf.USER_SS]) k.frameWrite(t, off, USER_DS);
  k.frameWrite(t, Tf.CS, USER_CS);
  k.frameWrite(t, Tf.EIP, entry);
  k.frameWrite(t, Tf.USER_ESP, stack.esp);
  k.frameWrite(t, Tf.EFLAGS, 0x202 | (k.frameRead(t, Tf.EFLAGS) & EFLAGS_IOPL)); // IF; iopl(2) survives execve
  ptraceExecNotify(k, t);
  return 0;
}

/**
 * Maps the PT_LOAD segments of elf (load bias applied) into mm: file pages
 * private, the bss anonymous, the tail of the last file page zeroed (Linux
 * padzero). rawio: the task may map below mmap_min_addr. Returns the end of
 * the highest segment (where brk starts), or why it failed.
 */
function mapSegments(mm: Mm, elf: ElfImage, backing: FileBacking, rawio: boolean): number | string {
  let end = 0;
  for (const seg of elf.segments) {
    const start = pageDown(seg.vaddr);
    const fileEnd = seg.vaddr + seg.filesz;
    const memEnd = seg.vaddr + seg.memsz;
    const mapEnd = pageUp(fileEnd);
    if (securityMmapAddr(start, rawio) < 0) return `segment at 0x${start.toString(16)} is below mmap_min_addr`;
    if (seg.filesz > 0) {
      const r = doMmap(mm, backing, start, mapEnd - start, seg.prot, MAP_PRIVATE | MAP_FIXED, (seg.offset - (seg.vaddr - start)) / PAGE, false);
      if (r < 0) return `cannot map a segment (${r})`;
      if (seg.memsz > seg.filesz && mapEnd > fileEnd) {
        if (copyToUser(mm, fileEnd, new Uint8Array(mapEnd - fileEnd)) < 0 && seg.prot & PROT_WRITE) return "cannot clear bss";
      }
    }
    const anonStart = seg.filesz > 0 ? mapEnd : start;
    const anonEnd = pageUp(memEnd);
    if (anonEnd > anonStart) {
      const r = doMmap(mm, null, anonStart, anonEnd - anonStart, seg.prot, MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS);
      if (r < 0) return `cannot map bss (${r})`;
    }
    end = Math.max(end, anonEnd);
  }
  return end;
}

interface Interp extends Loaded {
  /** Parsed at bias 0, to validate it and measure it. */
  elf: ElfImage;
  backing: FileBacking;
  /** Bytes from its lowest to its highest page. */
  span: number;
}

/**
 * Opens and validates a PT_INTERP program interpreter, before the point of no
 * return (Linux load_elf_binary opens it there too): a regular executable
 * ELF without an interpreter of its own. -errno otherwise (-ENOEXEC for a bad
 * or nested interpreter).
 */
function openInterp(k: Kernel, t: Task, path: string): Interp | number {
  const loaded = openExec(k, t, path);
  if (typeof loaded === "number") return loaded;
  const elf = parseElf(loaded.image, 0, loaded.size);
  const backing = elf.ok && elf.interp === null && elf.segments.length > 0 ? fileBacking(k.mmctx, loaded.file) : -Errno.ENOEXEC;
  if (!elf.ok || typeof backing === "number") {
    fput(loaded.file);
    return elf.ok ? -Errno.ENOEXEC : elf.errno;
  }
  const lo = Math.min(...elf.segments.map((s) => pageDown(s.vaddr)));
  const hi = Math.max(...elf.segments.map((s) => pageUp(s.vaddr + s.memsz)));
  return { ...loaded, elf, backing, span: hi - lo };
}

function basename(p: string): string {
  const i = p.lastIndexOf("/");
  return i < 0 ? p : p.slice(i + 1);
}
