// execve (Linux do_execve + load_elf_binary + load_script): find the file,
// follow `#!` interpreters, validate the ELF image, then, past the point of
// no return, give the task a fresh address space (execMm, the seed's exec_mm),
// map the segments and the stack, and point the trap frame at the entry.

import type { Kernel } from "../kernel.ts";
import type { Task } from "../proc/task.ts";
import { Rlimit } from "../proc/task.ts";
import { Tf } from "../arch/trapframe.ts";
import { USER_CS, USER_DS } from "../arch/layout.ts";
import { Errno } from "../errno.ts";
import { AT_FDCWD, openFile } from "../fs/open.ts";
import { O_RDONLY, fput, type File } from "../fs/file.ts";
import { vfsRead } from "../fs/readwrite.ts";
import { S_IFMT, S_IFREG } from "../fs/mode.ts";
import { callerOf } from "../syscalls/caller.ts";
import { parseElf, PROT_EXEC, PROT_READ, PROT_WRITE } from "./elf.ts";
import { parseScript, scriptArgv } from "./script.ts";
import { buildInitialStack, linuxAuxv } from "./initstack.ts";
import { execMm } from "../mm/memory.ts";
import { MAP_ANONYMOUS, MAP_FIXED, MAP_GROWSDOWN, MAP_PRIVATE, doMmap } from "../mm/mmap.ts";
import { copyToUser } from "../mm/uaccess.ts";
import { fileBacking } from "../filemap-bridge.ts";
import { doGroupExit } from "../proc/exit.ts";
import { futexWake } from "../proc/futex.ts";
import { SIG_DFL, SIG_IGN, Sig, SigHand } from "../signal/signals.ts";
import { panic } from "../panic.ts";
import { loadTls } from "../proc/tls.ts";

/** Top of the user stack (Linux STACK_TOP without randomisation). */
export const STACK_TOP = 0xc000_0000;
/** The initial stack area; it grows down on demand up to RLIMIT_STACK. */
const STACK_INITIAL = 128 * 1024;
/** Largest executable read into the kernel (files are in RAM anyway). */
const MAX_IMAGE = 64 * 1024 * 1024;
/** Nesting of `#!` interpreters, as Linux's BINPRM_MAX_RECURSION. */
const MAX_SCRIPT_DEPTH = 4;

const PAGE = 4096;
const pageDown = (x: number) => Math.floor(x / PAGE) * PAGE;
const pageUp = (x: number) => Math.ceil(x / PAGE) * PAGE;

interface Loaded {
  file: File;
  image: Uint8Array;
}

function openExec(k: Kernel, t: Task, path: string): Loaded | number {
  const caller = callerOf(k, t);
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
  if (inode.size > MAX_IMAGE) {
    fput(f);
    return -Errno.ENOEXEC;
  }
  const data = vfsRead(caller, f, inode.size);
  if (typeof data === "number") {
    fput(f);
    return data;
  }
  return { file: f, image: data };
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
  const { file, image } = loaded;
  const elf = parseElf(image);
  if (!elf.ok || elf.interp !== null) {
    fput(file);
    return elf.ok ? -Errno.ENOEXEC : elf.errno;
  }
  const backing = fileBacking(k.mmctx, file);
  if (typeof backing === "number") {
    fput(file);
    return -Errno.EACCES;
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
    return stack;
  }

  // ---- point of no return
  if (!t.mm) panic("doExecve: task without mm");
  const oldMm = t.mm;
  const mm = execMm(oldMm);
  if (typeof mm === "number") {
    fput(file);
    return mm;
  }
  t.mm = mm;
  if (t === k.current || k.x86.cr3 === oldMm.pgd) k.x86.loadCr3(mm.pgd);
  const fail = (why: string) => {
    fput(file);
    k.printk(`exec: ${path}: ${why}; killing pid ${t.pid}`);
    doGroupExit(k, t, Sig.SIGSEGV);
    return 0;
  };
  let brk = 0;
  for (const seg of elf.segments) {
    const start = pageDown(seg.vaddr);
    const fileEnd = seg.vaddr + seg.filesz;
    const memEnd = seg.vaddr + seg.memsz;
    const mapEnd = pageUp(fileEnd);
    if (seg.filesz > 0) {
      const r = doMmap(mm, backing, start, mapEnd - start, seg.prot, MAP_PRIVATE | MAP_FIXED, (seg.offset - (seg.vaddr - start)) / PAGE, false);
      if (r < 0) return fail(`cannot map a segment (${r})`);
      // Zero the tail of the last file page when bss follows (Linux padzero).
      if (seg.memsz > seg.filesz && mapEnd > fileEnd) {
        if (copyToUser(mm, fileEnd, new Uint8Array(mapEnd - fileEnd)) < 0 && seg.prot & PROT_WRITE) return fail("cannot clear bss");
      }
    }
    const anonStart = seg.filesz > 0 ? mapEnd : start;
    const anonEnd = pageUp(memEnd);
    if (anonEnd > anonStart) {
      const r = doMmap(mm, null, anonStart, anonEnd - anonStart, seg.prot, MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS);
      if (r < 0) return fail(`cannot map bss (${r})`);
    }
    brk = Math.max(brk, anonEnd);
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
  k.frameWrite(t, Tf.EIP, elf.entry);
  k.frameWrite(t, Tf.USER_ESP, stack.esp);
  k.frameWrite(t, Tf.EFLAGS, 0x202);
  return 0;
}

function basename(p: string): string {
  const i = p.lastIndexOf("/");
  return i < 0 ? p : p.slice(i + 1);
}
