// CPU exceptions (Linux traps.c and fault.c): page faults go to the memory
// manager; other faults in user mode become the signal Linux sends for them;
// a fault in the kernel's own guest code (the stubs) is a kernel bug: panic.

import type { Kernel } from "./kernel.ts";
import type { Task } from "./proc/task.ts";
import { Tf } from "./arch/trapframe.ts";
import { handleMmFault } from "./mm/fault.ts";
import { forceSignal, kernelInfo } from "./signal/send.ts";
import { BUS_ADRERR, FPE_INTDIV, ILL_ILLOPN, SEGV_ACCERR, SEGV_MAPERR, SI_KERNEL, Sig, TRAP_BRKPT } from "./signal/signals.ts";
import { panic } from "./panic.ts";
import { outOfMemory } from "./oom-kill.ts";

const PF_WRITE = 2, PF_USER = 4;

/** Handles CPU exception `vector` taken by task t (its frame at t.ksp). */
export function handleException(k: Kernel, t: Task, vector: number): void {
  const cs = k.frameRead(t, Tf.CS);
  const user = (cs & 3) === 3;
  const eip = k.frameRead(t, Tf.EIP) >>> 0;
  if (!user) {
    panic(`kernel mode exception ${vector} at eip ${hex(eip)} error ${hex(k.frameRead(t, Tf.ERROR))} cr2 ${hex(k.x86.cr2)}`);
  }
  switch (vector) {
    case 14:
      doPageFault(k, t, k.frameRead(t, Tf.ERROR));
      return;
    case 0:
      forceSignal(k, t, Sig.SIGFPE, kernelInfo(Sig.SIGFPE, FPE_INTDIV, eip));
      return;
    case 1: case 3:
      forceSignal(k, t, Sig.SIGTRAP, kernelInfo(Sig.SIGTRAP, TRAP_BRKPT, eip));
      return;
    case 6:
      forceSignal(k, t, Sig.SIGILL, kernelInfo(Sig.SIGILL, ILL_ILLOPN, eip));
      return;
    case 7: // no FPU and no emulator: Linux without math emulation sends SIGFPE
      forceSignal(k, t, Sig.SIGFPE, kernelInfo(Sig.SIGFPE, SI_KERNEL, eip));
      return;
    case 17:
      forceSignal(k, t, Sig.SIGBUS, kernelInfo(Sig.SIGBUS, BUS_ADRERR, eip));
      return;
    default: // #OF #BR #TS #NP #SS #GP and anything else
      forceSignal(k, t, Sig.SIGSEGV, kernelInfo(Sig.SIGSEGV, SI_KERNEL, 0));
  }
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
