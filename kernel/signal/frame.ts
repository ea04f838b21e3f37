// Linux i386 signal frames, byte for byte: the old `struct sigframe` used
// for handlers without SA_SIGINFO and `struct rt_sigframe` for SA_SIGINFO
// ones, each holding a `struct sigcontext` that sigreturn/rt_sigreturn read
// back. Pure layout code: the signal delivery code copies the bytes to the
// user stack and back.

import { NR } from "../syscalls/numbers.ts";
import { Tf } from "../arch/trapframe.ts";
import { Sig, type SigInfo } from "./signals.ts";

/** struct sigcontext: 22 dwords. Offsets in bytes. */
export const enum Sc {
  GS = 0, FS = 4, ES = 8, DS = 12, EDI = 16, ESI = 20, EBP = 24, ESP = 28, EBX = 32, EDX = 36, ECX = 40,
  EAX = 44, TRAPNO = 48, ERR = 52, EIP = 56, CS = 60, EFLAGS = 64, ESP_AT_SIGNAL = 68, SS = 72,
  FPSTATE = 76, OLDMASK = 80, CR2 = 84, SIZE = 88,
}

/** struct sigframe (non-RT): pretcode, sig, sigcontext, extramask, retcode. */
export const enum SigFrame {
  PRETCODE = 0, SIG = 4, SC = 8, EXTRAMASK = 8 + Sc.SIZE, RETCODE = 12 + Sc.SIZE, SIZE = 20 + Sc.SIZE,
}

/** struct rt_sigframe: pretcode, sig, pinfo, puc, siginfo (128), ucontext, retcode. */
export const enum RtSigFrame {
  PRETCODE = 0, SIG = 4, PINFO = 8, PUC = 12, INFO = 16, UC = 16 + 128,
  UC_FLAGS = UC, UC_LINK = UC + 4, UC_STACK = UC + 8, UC_MCONTEXT = UC + 20, UC_SIGMASK = UC + 20 + Sc.SIZE,
  RETCODE = UC + 20 + Sc.SIZE + 8, SIZE = UC + 20 + Sc.SIZE + 8 + 8,
}

/** The register image saved into a sigcontext, as read from a trap frame. */
export interface UserRegs {
  gs: number; fs: number; es: number; ds: number;
  edi: number; esi: number; ebp: number; esp: number; ebx: number; edx: number; ecx: number; eax: number;
  eip: number; cs: number; eflags: number; ss: number;
  trapno: number; err: number; cr2: number;
  /** sigcontext.fpstate: where the FPU state was saved (0: none). */
  fpstate: number;
}

/**
 * struct _fpstate_32 as a CPU without FXSR saves it: the 108-byte FNSAVE image,
 * then the status word and magic 0xffff ("FNSAVE data only").
 */
export const FPSTATE_SIZE = 112;

/** The _fpstate bytes for an FNSAVE image (its status word is at byte 4). */
export function fpstateBytes(img: Uint8Array): Uint8Array {
  const b = new Uint8Array(FPSTATE_SIZE);
  b.set(img.subarray(0, 108));
  b[108] = img[4];
  b[109] = img[5];
  b[110] = b[111] = 0xff;
  return b;
}

/** Reads the user registers out of a trap frame given as a 32-bit reader at frame offsets. */
export function regsFromFrame(read32: (off: number) => number): UserRegs {
  return {
    gs: read32(Tf.GS) & 0xffff, fs: read32(Tf.FS) & 0xffff, es: read32(Tf.ES) & 0xffff, ds: read32(Tf.DS) & 0xffff,
    edi: read32(Tf.EDI), esi: read32(Tf.ESI), ebp: read32(Tf.EBP), esp: read32(Tf.USER_ESP),
    ebx: read32(Tf.EBX), edx: read32(Tf.EDX), ecx: read32(Tf.ECX), eax: read32(Tf.EAX),
    eip: read32(Tf.EIP), cs: read32(Tf.CS) & 0xffff, eflags: read32(Tf.EFLAGS), ss: read32(Tf.USER_SS) & 0xffff,
    trapno: read32(Tf.VECTOR), err: read32(Tf.ERROR), cr2: 0, fpstate: 0,
  };
}

/** Writes a struct sigcontext for `r` at `off` in `view`. */
export function putSigcontext(view: DataView, off: number, r: UserRegs, oldmask: number): void {
  const w = (o: number, v: number) => view.setUint32(off + o, v >>> 0, true);
  w(Sc.GS, r.gs); w(Sc.FS, r.fs); w(Sc.ES, r.es); w(Sc.DS, r.ds);
  w(Sc.EDI, r.edi); w(Sc.ESI, r.esi); w(Sc.EBP, r.ebp); w(Sc.ESP, r.esp);
  w(Sc.EBX, r.ebx); w(Sc.EDX, r.edx); w(Sc.ECX, r.ecx); w(Sc.EAX, r.eax);
  w(Sc.TRAPNO, r.trapno); w(Sc.ERR, r.err); w(Sc.EIP, r.eip); w(Sc.CS, r.cs);
  w(Sc.EFLAGS, r.eflags); w(Sc.ESP_AT_SIGNAL, r.esp); w(Sc.SS, r.ss);
  w(Sc.FPSTATE, r.fpstate); w(Sc.OLDMASK, oldmask); w(Sc.CR2, r.cr2);
}

/** Reads a struct sigcontext at `off` in `view`. */
export function getSigcontext(view: DataView, off: number): UserRegs {
  const r = (o: number) => view.getUint32(off + o, true);
  return {
    gs: r(Sc.GS) & 0xffff, fs: r(Sc.FS) & 0xffff, es: r(Sc.ES) & 0xffff, ds: r(Sc.DS) & 0xffff,
    edi: r(Sc.EDI), esi: r(Sc.ESI), ebp: r(Sc.EBP), esp: r(Sc.ESP), ebx: r(Sc.EBX), edx: r(Sc.EDX),
    ecx: r(Sc.ECX), eax: r(Sc.EAX), eip: r(Sc.EIP), cs: r(Sc.CS) & 0xffff, eflags: r(Sc.EFLAGS),
    ss: r(Sc.SS) & 0xffff, trapno: r(Sc.TRAPNO), err: r(Sc.ERR), cr2: r(Sc.CR2), fpstate: r(Sc.FPSTATE),
  };
}

/**
 * The 8-byte retcode Linux writes into a frame for handlers without SA_RESTORER:
 * non-RT `pop eax; mov eax, __NR_sigreturn; int 0x80`, RT `mov eax, __NR_rt_sigreturn; int 0x80`.
 * When the handler returns, sigreturn finds the frame at ESP-8 (non-RT) or ESP-4 (RT).
 */
export function retcode(rt: boolean): Uint8Array {
  return rt
    ? Uint8Array.of(0xb8, NR.rt_sigreturn, 0, 0, 0, 0xcd, 0x80, 0)
    : Uint8Array.of(0x58, 0xb8, NR.sigreturn, 0, 0, 0, 0xcd, 0x80);
}

/** Writes siginfo_t (i386: signo, errno, code, then the union at offset 12) at off of v. */
export function putSiginfo(v: DataView, off: number, info: SigInfo): void {
  v.setInt32(off, info.signo, true);
  v.setInt32(off + 4, 0, true);
  v.setInt32(off + 8, info.code, true);
  switch (info.signo) {
    case Sig.SIGSEGV: case Sig.SIGBUS: case Sig.SIGILL: case Sig.SIGFPE: case Sig.SIGTRAP:
      v.setUint32(off + 12, info.addr >>> 0, true);
      break;
    case Sig.SIGCHLD:
      v.setInt32(off + 12, info.pid, true);
      v.setUint32(off + 16, info.uid, true);
      v.setInt32(off + 20, info.status, true);
      break;
    default:
      v.setInt32(off + 12, info.pid, true);
      v.setUint32(off + 16, info.uid, true);
  }
}
