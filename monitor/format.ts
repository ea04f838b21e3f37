// Number formatting and argument parsing shared by the monitor's commands.

import { type CPU, type CpuRegisters, R } from "../emulator/cpu/cpu.ts";

/** 8 lowercase hex digits, no prefix. */
export const hex8 = (v: number): string => (v >>> 0).toString(16).padStart(8, "0");
/** "0x" + minimal lowercase hex. */
export const hex = (v: number): string => "0x" + (v >>> 0).toString(16);

/** A user mistake in a command line; the monitor prints its message. */
export class CommandError extends Error {}

const REGS: Record<string, number> = { eax: R.EAX, ecx: R.ECX, edx: R.EDX, ebx: R.EBX, esp: R.ESP, ebp: R.EBP, esi: R.ESI, edi: R.EDI };

/**
 * Parses a number or a sum/difference of terms: 0x1f, 31, $eax, $eip, $cr2,
 * $cr3 ("$eip+4"). Hex needs 0x. Throws CommandError with what was wrong.
 */
export function parseValue(text: string, cpu?: CPU): number {
  const s = text.trim();
  if (s === "") throw new CommandError("missing value");
  const terms = s.match(/[+-]?[^+-]+/g);
  if (!terms) throw new CommandError(`bad value '${text}'`);
  let v = 0;
  let regs: CpuRegisters | undefined;
  for (const raw of terms) {
    const neg = raw.startsWith("-");
    const t = raw.replace(/^[+-]/, "").trim().toLowerCase();
    let n: number;
    if (/^0x[0-9a-f]+$/.test(t)) n = parseInt(t.slice(2), 16);
    else if (/^[0-9]+$/.test(t)) n = parseInt(t, 10);
    else if (t.startsWith("$") && cpu) n = register((regs ??= cpu.registers()), t.slice(1));
    else throw new CommandError(`bad value '${text}'`);
    v = neg ? v - n : v + n;
  }
  return v >>> 0;
}

function register(r: CpuRegisters, name: string): number {
  if (name in REGS) return r.gp[REGS[name]];
  switch (name) {
    case "eip": case "pc": return r.eip;
    case "eflags": return r.eflags;
    case "cr0": return r.cr0;
    case "cr2": return r.cr2;
    case "cr3": return r.cr3;
    case "cr4": return r.cr4;
  }
  throw new CommandError(`unknown register '$${name}'`);
}

/** Parses a non-negative decimal integer argument. */
export function parseCount(text: string, what: string): number {
  if (!/^[0-9]+$/.test(text)) throw new CommandError(`${what}: expected a number, got '${text}'`);
  return parseInt(text, 10);
}
