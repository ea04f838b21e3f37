// The SysV i386 initial process stack, laid out as Linux's exec
// (fs/exec.c + create_elf_tables) does with randomisation off:
//
//   stackTop - 4 ........ a zero word
//   below it ............ execfn string, envp strings (last first), argv strings (last first),
//                         so argv[0]'s string is the lowest
//   & ~15 ............... platform string ("i686"), then 16 AT_RANDOM bytes below it
//   below ............... auxv pairs (ending AT_NULL), envp NULL, envp[], argv NULL, argv[], argc
//   esp ................. ((random - 4*auxWords - 4*items) & ~15) where items = argc+1+envc+1+1
//
// The result is the bytes from esp to stackTop and esp itself: a pure function.

import { panic } from "../panic.ts";
import { Errno } from "../errno.ts";

export const AT_NULL = 0, AT_IGNORE = 1, AT_EXECFD = 2, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5;
export const AT_PAGESZ = 6, AT_BASE = 7, AT_FLAGS = 8, AT_ENTRY = 9, AT_NOTELF = 10, AT_UID = 11;
export const AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_PLATFORM = 15, AT_HWCAP = 16, AT_CLKTCK = 17;
export const AT_SECURE = 23, AT_BASE_PLATFORM = 24, AT_RANDOM = 25, AT_HWCAP2 = 26, AT_EXECFN = 31;
export const AT_SYSINFO = 32, AT_SYSINFO_EHDR = 33, AT_MINSIGSTKSZ = 51;

/** Linux limits on exec arguments. */
export const MAX_ARG_STRLEN = 32 * 4096;
export const ARG_MAX = 131072;
export const STK_LIM = 8 * 1024 * 1024;
export const CLOCKS_PER_SEC = 100;

export interface ExecIds {
  uid: number;
  euid: number;
  gid: number;
  egid: number;
}

/** What the standard auxiliary vector is built from. */
export interface AuxInfo {
  phdr: number;
  phent: number;
  phnum: number;
  entry: number;
  base?: number;
  flags?: number;
  ids: ExecIds;
  secure?: boolean;
  hwcap?: number;
  pagesz?: number;
  clktck?: number;
}

/**
 * The auxiliary vector in Linux's order (without AT_NULL). AT_RANDOM,
 * AT_EXECFN and AT_PLATFORM carry 0 here: buildInitialStack fills in their addresses.
 */
export function linuxAuxv(a: AuxInfo, withPlatform = true): [number, number][] {
  const v: [number, number][] = [
    [AT_HWCAP, a.hwcap ?? 0],
    [AT_PAGESZ, a.pagesz ?? 4096],
    [AT_CLKTCK, a.clktck ?? CLOCKS_PER_SEC],
    [AT_PHDR, a.phdr],
    [AT_PHENT, a.phent],
    [AT_PHNUM, a.phnum],
    [AT_BASE, a.base ?? 0],
    [AT_FLAGS, a.flags ?? 0],
    [AT_ENTRY, a.entry],
    [AT_UID, a.ids.uid],
    [AT_EUID, a.ids.euid],
    [AT_GID, a.ids.gid],
    [AT_EGID, a.ids.egid],
    [AT_SECURE, a.secure ? 1 : 0],
    [AT_RANDOM, 0],
    [AT_EXECFN, 0],
  ];
  if (withPlatform) v.push([AT_PLATFORM, 0]);
  return v;
}

export interface StackSpec {
  /** One past the highest stack byte (e.g. 0xC0000000). */
  stackTop: number;
  /** Byte strings (one char per byte), without NULs. */
  argv: readonly string[];
  envp: readonly string[];
  /** The path exec was given (AT_EXECFN points at its copy). */
  execfn: string;
  /** The auxv entries, AT_NULL excluded (see linuxAuxv). */
  auxv: readonly [number, number][];
  /** 16 bytes for AT_RANDOM. */
  random: Uint8Array;
  /** AT_PLATFORM string, or null to omit (then auxv must not hold AT_PLATFORM). */
  platform: string | null;
  /** RLIMIT_STACK soft limit (for the argument-size limit); default 8 MiB. */
  rlimitStack?: number;
}

export interface InitialStack {
  esp: number;
  /** Contents of [esp, stackTop). */
  bytes: Uint8Array;
  /** Addresses of interest (tests, /proc/<pid>/cmdline and environ). */
  argStart: number;
  argEnd: number;
  envStart: number;
  envEnd: number;
  randomAddr: number;
  execfnAddr: number;
  /** Offset in bytes of the auxv pairs (AT_NULL-terminated). */
  auxvOffset: number;
}

/**
 * Sets the value of auxv entry `type` in a built stack (exec learns AT_BASE,
 * the interpreter's address, only once the new address space exists).
 * Panics if the stack has no such entry.
 */
export function setAuxv(stack: InitialStack, type: number, value: number): void {
  const dv = new DataView(stack.bytes.buffer, stack.bytes.byteOffset);
  for (let o = stack.auxvOffset; ; o += 8) {
    const t = dv.getUint32(o, true);
    if (t === type) return dv.setUint32(o + 4, value >>> 0, true);
    if (t === AT_NULL) panic(`setAuxv: no auxv entry ${type}`);
  }
}

/** Linux's limit on the bytes of argument and environment strings, given RLIMIT_STACK. */
export function argLimit(rlimitStack: number): number {
  let limit = Math.floor(STK_LIM / 4) * 3;
  limit = Math.min(limit, Math.floor(rlimitStack / 4));
  return Math.max(limit, ARG_MAX);
}

/** Build the initial stack, or -E2BIG when the strings exceed Linux's limits. */
export function buildInitialStack(spec: StackSpec): InitialStack | number {
  const { argv, envp, execfn } = spec;
  let limit = argLimit(spec.rlimitStack ?? STK_LIM);
  const ptrSize = (Math.max(argv.length, 1) + envp.length) * 4;
  if (limit <= ptrSize) return -Errno.E2BIG;
  limit -= ptrSize;
  let strBytes = 0;
  for (const s of [execfn, ...envp, ...argv]) {
    if (s.length + 1 > MAX_ARG_STRLEN) return -Errno.E2BIG;
    strBytes += s.length + 1;
  }
  if (strBytes > limit) return -Errno.E2BIG;
  if (spec.random.length !== 16) return -Errno.EINVAL;

  const top = spec.stackTop;
  const platLen = spec.platform === null ? 0 : spec.platform.length + 1;
  const auxWords = (spec.auxv.length + 1) * 2;
  const items = argv.length + 1 + envp.length + 1 + 1;
  // Compute addresses first.
  let p = top - 4;
  p -= execfn.length + 1;
  const execfnAddr = p;
  const envAddrs: number[] = new Array(envp.length);
  for (let i = envp.length - 1; i >= 0; i--) {
    p -= envp[i].length + 1;
    envAddrs[i] = p;
  }
  const argAddrs: number[] = new Array(argv.length);
  for (let i = argv.length - 1; i >= 0; i--) {
    p -= argv[i].length + 1;
    argAddrs[i] = p;
  }
  const argStart = p;
  p = Math.floor(p / 16) * 16;
  p -= platLen;
  const platformAddr = p;
  p -= 16;
  const randomAddr = p;
  const esp = Math.floor((p - auxWords * 4 - items * 4) / 16) * 16;
  if (esp < 0) return -Errno.E2BIG;

  const bytes = new Uint8Array(top - esp);
  const dv = new DataView(bytes.buffer);
  const put = (addr: number, s: string): void => {
    const o = addr - esp;
    for (let i = 0; i < s.length; i++) bytes[o + i] = s.charCodeAt(i) & 0xff;
  };
  put(execfnAddr, execfn);
  envp.forEach((s, i) => put(envAddrs[i], s));
  argv.forEach((s, i) => put(argAddrs[i], s));
  if (spec.platform !== null) put(platformAddr, spec.platform);
  bytes.set(spec.random, randomAddr - esp);
  let w = 0;
  const word = (x: number): void => {
    dv.setUint32(w, x >>> 0, true);
    w += 4;
  };
  word(argv.length);
  for (const a of argAddrs) word(a);
  word(0);
  for (const a of envAddrs) word(a);
  word(0);
  const auxvOffset = w;
  for (const [type, val] of spec.auxv) {
    word(type);
    word(type === AT_RANDOM ? randomAddr : type === AT_EXECFN ? execfnAddr : type === AT_PLATFORM ? platformAddr : val);
  }
  word(AT_NULL);
  word(0);
  const envStart = envp.length > 0 ? envAddrs[0] : execfnAddr;
  return {
    esp, bytes, argStart, argEnd: envStart, envStart, envEnd: execfnAddr, randomAddr, execfnAddr, auxvOffset,
  };
}
