// Protected-mode mechanics of the CPU, as the core calls them: segment loads,
// interrupt and exception delivery, far transfers through gates, IRET, task
// switches, descriptor probes, control registers and the I/O permission check.
// Each mechanism lives in a sys-*.ts file; this module is their public face.
//
// Every function here either completes or raises a guest fault through
// cpu.fault() before it has changed register state (except the task switch,
// which commits the new task first and then raises faults in its context, with
// cpu.instrEip/instrEsp set to the new task's values). deliverException never
// raises: it escalates to #DF and to shutdown (cpu.shutdown) itself.

export { IntKind, deliverException, deliverInterrupt } from "./sys-interrupts.ts";
export { loadSegment, lldt, ltr, lar, lsl, verr, verw } from "./sys-segments.ts";
export { farJump, farCall, farReturn } from "./sys-farcall.ts";
export { iret } from "./sys-iret.ts";
export { writeCr, writeDr, resetCpu, ioPermitted, CPU_SIGNATURE } from "./sys-control.ts";
