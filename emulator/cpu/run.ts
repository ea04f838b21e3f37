// The run loop. Instructions execute in blocks: a block ends at the cycle budget,
// at the next clock event, or after an instruction that set cpu.blockEnd (I/O,
// EFLAGS or mode changes, HLT, MOV SS, far transfers). Between blocks the loop runs
// due clock events, checks stop requests, and delivers external interrupts, so the
// per-instruction path does no interrupt polling. Single-step (TF) and interrupt
// shadows run one instruction at a time. Guest faults (CPU_FAULT) are caught here,
// EIP/ESP are restored to the start of the instruction, and the exception is
// delivered through system.ts.

import type { CPU } from "./cpu.ts";
import { CPU_FAULT, F, Stop } from "./defs.ts";
import { endPrefixes } from "./exec.ts";
import { runInstructions } from "./dispatch.ts";
import { syncClock } from "./access.ts";
import { INT_PROT, INT_REAL } from "./timing.ts";
import { IntKind, deliverException, deliverInterrupt } from "./system.ts";

/** See CPU.run. */
export function runLoop(c: CPU, until: number): Stop {
  const clock = c.clock;
  for (;;) {
    if (c.cyc !== 0) syncClock(c);
    if (c.shutdown) return Stop.TripleFault;
    if (c.stopRequested) {
      c.stopRequested = false;
      return Stop.Requested;
    }
    if (clock.cycles >= clock.nextEvent) clock.runDue();
    if (clock.cycles >= until) return Stop.Budget;
    if (!c.shadow && (c.flags & F.IF) !== 0 && c.irq.hasInterrupt()) {
      const v = c.irq.acknowledge();
      c.halted = false;
      c.instrEip = c.eip;
      c.instrEsp = c.regs[4];
      clock.cycles += c.pmode || c.vm86 ? INT_PROT : INT_REAL;
      deliverInterrupt(c, v, IntKind.Hardware); // delivers its own faults as exceptions
      c.winLen = 0;
      c.ipEnd = 0;
      continue;
    }
    if (c.halted) {
      // Idle until the next device event when one can still wake us inside the budget.
      if ((c.flags & F.IF) !== 0 && clock.nextEvent <= until) {
        if (clock.cycles < clock.nextEvent) clock.cycles = clock.nextEvent;
        continue;
      }
      return Stop.Halted;
    }
    if (c.shadow || (c.flags & F.TF) !== 0) runOne(c);
    else runBlock(c, until < clock.nextEvent ? until : clock.nextEvent);
  }
}

function runBlock(c: CPU, end: number): void {
  const room = end - c.clock.cycles;
  // as a small integer (Smi) for V8: room is a double, may have a fraction (a budget from
  // the wall clock; cycles are whole, so its ceiling stops at the same instruction) and
  // may be far below 0 (a budget already spent), which `| 0` alone would wrap
  runSome(c, room <= 0 ? 0 : room < 0x3fff_ffff ? Math.ceil(room) | 0 : 0x3fff_ffff);
}

/** Runs until `limit` cycles are charged or an instruction ends the block; delivers a fault. */
function runSome(c: CPU, limit: number): boolean {
  c.blockEnd = false;
  c.cycLimit = limit;
  c.cyc = 0;
  c.retired = 0;
  try {
    runInstructions(c);
  } catch (e) {
    if (e !== CPU_FAULT) throw e;
    c.instructions += c.retired;
    syncClock(c);
    handleFault(c);
    return false;
  }
  c.instructions += c.retired;
  syncClock(c);
  return true;
}

/**
 * One instruction, then the single-step trap when TF was set before it. MOV SS and
 * POP SS hold the trap back until after the next instruction (stepHeld).
 */
function runOne(c: CPU): void {
  const trap = (c.flags & F.TF) !== 0 || c.stepHeld;
  c.shadow = false;
  c.ssShadow = false;
  c.stepHeld = false;
  if (!runSome(c, 1)) return;
  if (c.ssShadow) {
    c.ssShadow = false;
    c.stepHeld = trap;
    return;
  }
  if (trap) {
    c.dr[6] |= 0x4000; // BS
    c.instrEip = c.eip;
    c.instrEsp = c.regs[4];
    c.lastException = 1;
    c.lastErrorCode = -1;
    c.lastExceptionEip = c.eip;
    if (c.stopOnException) {
      c.exceptionHeld = c.stopRequested = true;
      return;
    }
    c.clock.cycles += INT_PROT;
    deliverException(c, 1, -1);
    c.winLen = 0;
    c.ipEnd = 0;
  }
}

function handleFault(c: CPU): void {
  endPrefixes(c);
  c.eip = c.instrEip;
  c.regs[4] = c.instrEsp;
  c.winLen = 0;
  c.ipEnd = 0;
  c.shadow = false;
  c.lastException = c.faultVector;
  c.lastErrorCode = c.faultCode;
  c.lastExceptionEip = c.instrEip;
  c.lastExceptionInstructions = c.instructions;
  if (c.stopOnException) {
    c.exceptionHeld = c.stopRequested = true;
    return;
  }
  raiseException(c, c.faultVector, c.faultCode);
}

/** Delivers exception `vector` as the run loop does: the interrupt's cycles, the IDT (or IVT) entry, a fresh decode window. */
export function raiseException(c: CPU, vector: number, errorCode: number): void {
  c.clock.cycles += c.pmode || c.vm86 ? INT_PROT : INT_REAL;
  deliverException(c, vector, errorCode);
  c.winLen = 0;
  c.ipEnd = 0;
}
