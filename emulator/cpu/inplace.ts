// Instructions without a fast form that a compiled region (jit.ts) runs in place: it
// stores its locals, calls the byte interpreter (exec.ts execOne) on the instruction,
// reloads them and goes on, where it would otherwise leave to the dispatcher and enter
// another region after the one instruction. These are the x87 instructions, the string
// instructions, 16-bit operands, BSF/BSR, XCHG, CMPXCHG and the rest of the unprivileged
// integer set that leaves EIP at the next instruction. Left out, so the region leaves
// before them as for any instruction it has not compiled: transfers of control (and
// INT, INTO, BOUND), anything that loads a segment register (a region holds ES, CS, SS
// and DS constant), changes IF or TF (POPF, CLI, STI), touches ports, control, debug or
// model-specific registers, reads the time stamp, halts, or ends the interpreter's block
// (cpu.blockEnd), and opcodes this CPU lacks. None of those left in sets cpu.blockEnd.

import type { CPU } from "./cpu.ts";
import { disassemble } from "./disasm.ts";

const PREFIX = new Set([0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3]);

/** Per opcode: the ModRM reg fields (bit r for /r) with which it runs in place; 0xff for every one, or no ModRM. */
const ONE = new Uint8Array(256);
const TWO = new Uint8Array(256);
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_v, i) => from + i);
for (const op of [
  ...[0x00, 0x08, 0x10, 0x18, 0x20, 0x28, 0x30, 0x38].flatMap((b) => range(b, b + 5)), // ALU
  0x27, 0x2f, 0x37, 0x3f, ...range(0x40, 0x61), ...range(0x68, 0x6b), // BCD, INC DEC PUSH POP, PUSHA POPA, PUSH IMUL
  ...range(0x80, 0x8d), ...range(0x90, 0x99), 0x9b, 0x9c, 0x9e, 0x9f, // group 1 TEST XCHG MOV LEA, XCHG CBW CWD, FWAIT PUSHF SAHF LAHF
  ...range(0xa0, 0xbf), 0xc0, 0xc1, 0xc8, 0xc9, ...range(0xd0, 0xd5), 0xd7, // MOV moffs, strings, MOV imm, shifts, ENTER LEAVE, AAM AAD XLAT
  ...range(0xd8, 0xdf), 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfc, 0xfd, // x87, CMC, group 3, CLC STC CLD STD
]) ONE[op] = 0xff;
ONE[0x8f] = 0x01; // POP r/m
ONE[0xc6] = ONE[0xc7] = 0x01; // MOV r/m, imm
ONE[0xfe] = 0x03; // INC DEC r/m8
ONE[0xff] = 0x43; // INC DEC PUSH r/m
for (const op of [
  ...range(0x19, 0x1f), ...range(0x40, 0x4f), ...range(0x90, 0x9f), // NOP r/m, CMOVcc, SETcc
  0xa3, 0xa4, 0xa5, 0xab, 0xac, 0xad, 0xaf, 0xb0, 0xb1, 0xb3, 0xb6, 0xb7, // BT SHLD BTS SHRD IMUL CMPXCHG BTR MOVZX
  0xbb, 0xbc, 0xbd, 0xbe, 0xbf, 0xc0, 0xc1, ...range(0xc8, 0xcf), // BTC BSF BSR MOVSX XADD BSWAP
]) TWO[op] = 0xff;
TWO[0xba] = 0xf0; // BT BTS BTR BTC r/m, imm

/**
 * The length of the instruction at offset `o` of the current code window's page when a
 * region may run it in place (see above), 32-bit code only; 0 otherwise, and when it
 * would cross the end of the page. Compile time only: allocates.
 */
export function inPlaceLength(c: CPU, o: number): number {
  if (!c.code32) return 0;
  const at = (i: number): number => (o + i < 4096 ? c.ram[(c.winPhys + o + i) | 0] : -1);
  let i = 0;
  while (i < 15 && PREFIX.has(at(i))) i++;
  let op = at(i);
  let table = ONE;
  if (op === 0x0f) {
    table = TWO;
    op = at(++i);
  }
  const regs = op < 0 ? 0 : table[op];
  if (regs === 0) return 0;
  if (regs !== 0xff) {
    const m = at(i + 1);
    if (m < 0 || (regs & (1 << ((m >> 3) & 7))) === 0) return 0;
  }
  const d = disassemble(at, 0, true);
  return d.text.includes("(bad)") || o + d.length > 4096 ? 0 : d.length;
}
