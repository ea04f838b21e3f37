// The fork picture's back end: the program runs under each design from a
// fresh deterministic boot (system/guest-run.ts) with a fork tracer
// (monitor/fork-trace.ts) armed before init starts, so the first fork it
// makes is recorded with the faults that follow, until the program ends.

import { runGuest } from "../../system/guest-run.ts";
import { ForkTracer, type ForkTraceData } from "../../monitor/fork-trace.ts";
import { FaultTracer } from "../../monitor/fault-trace.ts";
import { Debugger } from "../../emulator/gdb/debugger.ts";
import type { MmDesign } from "../protocol.ts";

/** Guest seconds a traced program may run. */
const LIMIT_SECONDS = 60;

/** The first fork of argv under design; a one-line Error when the program does not start or never forks. */
export function traceFork(design: MmDesign, argv: string[], initrd: Uint8Array): ForkTraceData {
  let tracer: ForkTracer | null = null;
  let r;
  try {
    r = runGuest(design, argv, {
      initrd,
      maxGuestSeconds: LIMIT_SECONDS,
      onBoot: (sys) => {
        tracer = new ForkTracer(sys.kernel, sys.machine.mem, new FaultTracer(sys.machine, new Debugger(sys.machine), () => sys.kernel));
        tracer.arm();
      },
    });
  } catch (e) {
    if ((e as Error)?.name !== "KernelPanic") throw e;
    throw new Error(`cannot run ${argv[0]} under mm=${design}: ${(e as Error).message}`); // init's execve failed
  }
  const t = tracer as ForkTracer | null;
  t!.detach();
  const data = t!.data();
  if (data) return data;
  const why = r.status === null ? r.output.trim().split("\n").pop() : `it exited with status ${r.status >> 8} without forking`;
  throw new Error(`${argv.join(" ")} under mm=${design}: no fork to show (${why})`);
}
