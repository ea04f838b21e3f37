// CPU exceptions (Linux traps.c and fault.c): page faults go to the memory
// manager; other faults in user mode become the signal Linux sends for them;
// a fault of the exit path on a selector the user chose is fixed up as Linux's
// exception table does; any other fault in the kernel's own guest code (the
// stubs) is a kernel bug: panic.

import type { Kernel } from "./kernel.ts";
import type { Task } from "./proc/task.ts";
import { Tf, TRAP_FRAME_KERNEL_SIZE, TRAP_FRAME_USER_SIZE } from "./arch/trapframe.ts";
import { kpa, kva } from "./arch/layout.ts";
import { handleMmFault } from "./mm/fault.ts";
import { forceSignal, kernelInfo } from "./signal/send.ts";
import { BUS_ADRERR, FPE_FLTDIV, FPE_FLTINV, FPE_FLTOVF, FPE_FLTRES, FPE_FLTUND, FPE_INTDIV, ILL_BADSTK, ILL_ILLOPN, SEGV_ACCERR, SEGV_MAPERR, SI_KERNEL, Sig, TRAP_BRKPT, TRAP_TRACE } from "./signal/signals.ts";
import { panic } from "./panic.ts";
import { outOfMemory } from "./oom-kill.ts";

const PF_WRITE = 2, PF_USER = 4;

/** Handles CPU exception `vector` taken by task t (its frame at t.ksp). */
export function handleException(k: Kernel, t: Task, vector: number): void {
  const cs = k.frameRead(t, Tf.CS);
  const user = (cs & 3) === 3;
  const eip = k.frameRead(t, Tf.EIP) >>> 0;
  if (!user) {
    if (fixupExit(k, t, eip)) return;
    panic(`kernel mode exception ${vector} at eip ${hex(eip)} error ${hex(k.frameRead(t, Tf.ERROR))} cr2 ${hex(k.x86.cr2)}`);
  }
  switch (vector) {
    case 14:
      doPageFault(k, t, k.frameRead(t, Tf.ERROR));
      return;
    case 0:
      forceSignal(k, t, Sig.SIGFPE, kernelInfo(Sig.SIGFPE, FPE_INTDIV, eip));
      return;
    case 1: // a single step (EFLAGS.TF): Linux exc_debug_user, get_si_code(DR_STEP), at the next instruction
      forceSignal(k, t, Sig.SIGTRAP, kernelInfo(Sig.SIGTRAP, TRAP_TRACE, eip));
      return;
    case 3:
      forceSignal(k, t, Sig.SIGTRAP, kernelInfo(Sig.SIGTRAP, TRAP_BRKPT, eip));
      return;
    case 6:
      forceSignal(k, t, Sig.SIGILL, kernelInfo(Sig.SIGILL, ILL_ILLOPN, eip));
      return;
    case 7: // no FPU and no emulator: Linux without math emulation sends SIGFPE
      forceSignal(k, t, Sig.SIGFPE, kernelInfo(Sig.SIGFPE, SI_KERNEL, eip));
      return;
    case 16: // #MF: an unmasked x87 exception, reported at the next waiting FPU instruction
      forceSignal(k, t, Sig.SIGFPE, kernelInfo(Sig.SIGFPE, fpuErrorCode(k.x86.fpuUnmaskedExceptions()), eip));
      return;
    case 17:
      forceSignal(k, t, Sig.SIGBUS, kernelInfo(Sig.SIGBUS, BUS_ADRERR, eip));
      return;
    default: // #OF #BR #TS #NP #SS #GP and anything else
      forceSignal(k, t, Sig.SIGSEGV, kernelInfo(Sig.SIGSEGV, SI_KERNEL, 0));
  }
}

/**
 * SIGFPE's si_code for the FPU's unmasked exception flags, in Linux's order
 * (fpu__exception_code): invalid, divide by zero, overflow, denormal or
 * underflow, precision. The handler gets a fresh FPU with the flags in its
 * frame's _fpstate, so the #MF does not repeat.
 */
function fpuErrorCode(err: number): number {
  if (err & 0x01) return FPE_FLTINV;
  if (err & 0x04) return FPE_FLTDIV;
  if (err & 0x08) return FPE_FLTOVF;
  if (err & 0x12) return FPE_FLTUND;
  if (err & 0x20) return FPE_FLTRES;
  return SI_KERNEL;
}

/**
 * A fault at CPL 0 on the exit path's segment pops or IRET, i.e. on a selector the
 * user chose (set_thread_area changed or cleared a slot that DS..GS or SS still
 * holds, or sigreturn asked for an empty one). As Linux/i386's exception fixups in
 * entry_32.S: a segment pop gets the null selector in its slot and is retried (the
 * fault's own frame returns to it); a failed IRET sends SIGILL with ILL_BADSTK
 * (traps.c iret_error) from the user frame the IRET was loading, which becomes t's
 * frame again. False when eip is not one of these instructions.
 */
function fixupExit(k: Kernel, t: Task, eip: number): boolean {
  const f = k.x86.layout.exitFixups.find((x) => kva(x.pa) === eip);
  if (!f) return false;
  // The CPU pushed the fault's frame right below the slot the instruction was loading.
  const slotVa = t.ksp + TRAP_FRAME_KERNEL_SIZE;
  const userFrame = slotVa - f.slot;
  if (userFrame !== t.kstackTop - TRAP_FRAME_USER_SIZE) panic("fixupExit: the fault is not on the exit to user mode");
  if (f.kind === "segment") {
    k.x86.phys.write32(kpa(slotVa), 0);
    // The fault's frame holds the segment registers as they were: those not popped yet
    // may name the same broken slot, and the retried pops reload them anyway.
    for (let off = f.slot; off <= Tf.DS; off += 4) k.frameWrite(t, off, 0);
    return true;
  }
  // The fault's frame overwrote the user frame's registers below EIP, but holds the same
  // values: the stub saved them after POPA and the segment pops had reloaded them.
  const saved: number[] = [];
  for (let off = 0; off < Tf.VECTOR; off += 4) saved.push(k.frameRead(t, off));
  t.ksp = userFrame;
  saved.forEach((v, i) => k.frameWrite(t, i * 4, v));
  k.frameWrite(t, Tf.VECTOR, 0);
  k.frameWrite(t, Tf.ERROR, 0);
  forceSignal(k, t, Sig.SIGILL, kernelInfo(Sig.SIGILL, ILL_BADSTK, 0));
  return true;
}

function doPageFault(k: Kernel, t: Task, error: number): void {
  const address = k.x86.cr2;
  if (!t.mm) panic("doPageFault: user fault in a task without mm");
  const r = handleMmFault(t.mm, address, (error & PF_WRITE) !== 0, (error & PF_USER) !== 0);
  switch (r.decision) {
    case "sigsegv":
      forceSignal(k, t, Sig.SIGSEGV, kernelInfo(Sig.SIGSEGV, r.vma && r.vma.vmStart <= address ? SEGV_ACCERR : SEGV_MAPERR, address));
      break;
    case "sigbus":
      forceSignal(k, t, Sig.SIGBUS, kernelInfo(Sig.SIGBUS, BUS_ADRERR, address));
      break;
    case "oom":
      outOfMemory(k, t); // kills the largest process; t retries its fault unless it was the one
      break;
    default:
      if (r.major) t.majFlt++;
      else t.minFlt++;
  }
}

function hex(v: number): string {
  return "0x" + (v >>> 0).toString(16).padStart(8, "0");
}
