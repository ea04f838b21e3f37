// The emulator against the reference CPU on the same snippets (see native.ts). Flags the
// manuals leave undefined are masked per group, because a modern host and a 486 may
// legitimately differ there: AF after logic ops and shifts; OF after multi-bit shifts
// and rotates; SF ZF AF PF after MUL/IMUL; all flags after DIV; the BCD group's
// undefined flags; all but CF after BT*; all but ZF after BSF/BSR.
import { describe, expect, it } from "vitest";
import { NASM } from "./setup.ts";
import { NATIVE_MISSING, runEmulated, runNative } from "./native.ts";

const ok = NASM && NATIVE_MISSING === null;
const t = ok ? it : it.skip;
if (!ok) console.warn(`tests/cpu/differential: skipped (${NATIVE_MISSING ?? "nasm missing"})`);

const ARITH = 0x8d5;
const CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;

type Case = [snippet: string, flagMask: number];

function compare(cases: Case[]): void {
  const snips = cases.map((c) => c[0]);
  const nat = runNative(snips);
  const emu = runEmulated(snips);
  const bad: string[] = [];
  cases.forEach(([s, mask], i) => {
    const n = [nat[i * 3], nat[i * 3 + 1], nat[i * 3 + 2] & mask];
    const e = [emu[i * 3], emu[i * 3 + 1], emu[i * 3 + 2] & mask];
    if (n[0] !== e[0] || n[1] !== e[1] || n[2] !== e[2]) {
      bad.push(`${s.trim().replace(/\n\s*/g, "; ")}: host ${n.map((v) => (v >>> 0).toString(16))} emu ${e.map((v) => (v >>> 0).toString(16))}`);
    }
  });
  expect(bad).toEqual([]);
}

const V32 = ["0", "1", "0x7fffffff", "0x80000000", "0xffffffff", "0x12345678", "0x0000ff0f", "0x80000001"];
const V8 = ["0", "1", "0x7f", "0x80", "0xff", "0x0f", "0x10", "0x99"];

describe("differential: host CPU vs emulator", () => {
  t("ALU ops, 8/16/32 bits, with and without carry in", () => {
    const cases: Case[] = [];
    for (const op of ["add", "adc", "sub", "sbb", "cmp", "and", "or", "xor"]) {
      const mask = ["and", "or", "xor"].includes(op) ? ARITH & ~AF : ARITH;
      for (const a of V32) for (const b of V32.slice(0, 5)) {
        for (const carry of ["clc", "stc"]) {
          cases.push([`${carry}\nmov eax, ${a}\nmov ebx, ${b}\n${op} eax, ebx`, mask]);
        }
      }
      for (const a of V8) for (const b of V8) cases.push([`stc\nmov eax, ${a}\n${op} al, ${b}`, mask]);
      // r8, imm8 on other registers (80 /op: the fast form Alu8RI, as 04 0C ... on AL), BH by its R8 index
      for (const a of V8) {
        cases.push([`stc\nmov ecx, ${a}\n${op} cl, 0x81\nmov eax, ecx`, mask]);
        cases.push([`clc\nmov ebx, ${Number(a) * 0x100 + 0x55}\n${op} bh, 0x7f\nmov eax, ebx`, mask]);
      }
      for (const a of V8) cases.push([`mov eax, ${a}0${a.slice(2)}\n${op} ax, 0x8001`, mask]);
      // ALU r16 with an immediate (66 81 /op, 66 83 /op, and 66 05 ... 66 3D on AX above: the fast form Alu16RI)
      for (const a of V8) {
        for (const carry of ["clc", "stc"]) {
          cases.push([`${carry}\nmov ecx, ${Number(a) * 0x10101}\n${op} cx, word 0x8001`, mask]);
          cases.push([`${carry}\nmov edx, ${Number(a) * 0x1000001 + 0xff00}\n${op} dx, byte -3`, mask]);
        }
      }
    }
    // TEST AL, imm8 (A8), and CLD / STD (FC, FD: the direction flag, here in EAX)
    for (const a of V8) for (const b of V8.slice(0, 5)) cases.push([`mov eax, ${a}\ntest al, ${b}`, ARITH & ~AF]);
    cases.push(["std\npushfd\npop eax\nand eax, 0x400\ncld", ARITH]);
    cases.push(["std\ncld\npushfd\npop eax\nand eax, 0x400", ARITH]);
    for (const op of ["inc", "dec", "neg", "not"]) {
      for (const a of V32) {
        cases.push([`stc\nmov eax, ${a}\n${op} eax`, ARITH]);
        cases.push([`clc\nmov eax, ${a}\n${op} al`, ARITH]);
        cases.push([`clc\nmov eax, ${a}\n${op} ax`, ARITH]);
      }
    }
    // INC/DEC on memory (group 5, FF /0 and /1) and PUSH of a memory dword (FF /6)
    for (const op of ["inc", "dec"]) {
      for (const a of V32) {
        for (const carry of ["clc", "stc"]) cases.push([`${carry}\nmov dword [scratch+8], ${a}\nmov ebx, scratch\n${op} dword [ebx+8]\nmov eax, [scratch+8]`, ARITH]);
      }
    }
    for (const a of V32) cases.push([`mov dword [scratch+4], ${a}\nmov ebx, 4\npush dword [scratch+ebx]\nmov edx, [esp]\nadd dword [esp], 1\npop eax`, ARITH]);
    // byte TEST on registers and memory (84, F6 /0), TEST m32 imm32 (F7 /0), MOV r8/m8 imm8
    // (B0-B7, C6 /0): each result lands in EAX/EDX, the flags in EFLAGS
    const LOGIC = ARITH & ~AF;
    for (const a of V8) {
      for (const b of V8.slice(0, 5)) {
        cases.push([`mov eax, ${a}\nmov ecx, ${b}\ntest al, cl`, LOGIC]);
        cases.push([`mov edx, ${a}\nmov ebx, ${b}00\ntest dh, bh`, LOGIC]);
        cases.push([`mov byte [scratch+3], ${a}\nmov ecx, ${b}\nmov ebx, scratch\ntest [ebx+3], cl\nmov al, [scratch+3]`, LOGIC]);
        cases.push([`mov eax, ${a}\ntest al, ${b}\nmov dl, ${b}\nmov dh, al`, LOGIC]);
        cases.push([`mov ebx, scratch\nmov byte [ebx+5], ${a}\ntest byte [ebx+5], ${b}\nmov byte [ebx+6], ${b}\nmov eax, [ebx+4]`, LOGIC]);
      }
    }
    for (const a of V32) for (const b of V32.slice(0, 5)) cases.push([`mov dword [scratch+8], ${a}\ntest dword [scratch+8], ${b}\nmov edx, ${b}`, LOGIC]);
    // CMOVcc from a register and from memory, SETcc into a byte register, after a CMP,
    // for every condition
    const CC = ["o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"];
    for (const cc of CC) {
      for (const [a, b] of [["0", "1"], ["0x7fffffff", "0xffffffff"], ["0x80000000", "1"], ["5", "5"], ["0x12345678", "0x80000001"]]) {
        cases.push([`mov eax, ${a}\nmov ebx, ${b}\nmov ecx, 0x1111\nmov edx, 0x2222\ncmp eax, ebx\ncmov${cc} edx, ecx\nset${cc} al`, ARITH]);
        cases.push([`mov dword [scratch+24], 0x3333\nmov eax, ${a}\nmov edx, 0x4444\ncmp eax, ${b}\ncmov${cc} edx, [scratch+24]\nset${cc} ah`, ARITH]);
      }
    }
    // 16-bit MOV between registers, from and to memory (66 89, 66 8B), and XCHG AX, AX;
    // MOV EAX to and from an absolute address (A3, A1), with a DS override
    for (const a of V32) {
      cases.push([`mov eax, ${a}\nmov [scratch+20], eax\nxor eax, eax\nmov eax, [ds:scratch+20]\nmov edx, [scratch+20]`, ARITH]);
      cases.push([`mov eax, ${a}\nmov edx, 0x55aa55aa\nmov dx, ax\nxchg ax, ax`, ARITH]);
      cases.push([`mov dword [scratch+12], ${a}\nmov eax, 0x11112222\nmov ebx, scratch\nmov ax, [ebx+13]\nmov edx, eax`, ARITH]);
      cases.push([`mov dword [scratch+12], 0x77777777\nmov ebp, ${a}\nmov ebx, 6\nmov [scratch+ebx*2+1], bp\nmov eax, [scratch+12]\nmov edx, [scratch+16]`, ARITH]);
    }
    compare(cases);
  });

  t("shifts and rotates by 0, 1, n, masked counts", () => {
    const cases: Case[] = [];
    for (const op of ["shl", "shr", "sar", "rol", "ror", "rcl", "rcr"]) {
      for (const a of ["0x80000001", "0x40000000", "0x12345678", "0xffffffff", "1"]) {
        for (const n of [0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33]) {
          const m1 = n === 1 ? ARITH & ~AF : ARITH & ~AF & ~OF;
          const rot = op.startsWith("r");
          const mask = rot ? (n === 1 ? CF | OF : CF) | (n % 32 === 0 ? ARITH : 0) : m1;
          for (const reg of ["eax", "ax", "al"]) {
            cases.push([`stc\nmov eax, ${a}\nmov cl, ${n}\n${op} ${reg}, cl`, mask]);
          }
        }
      }
    }
    compare(cases);
  });

  t("SHLD/SHRD", () => {
    const cases: Case[] = [];
    for (const op of ["shld", "shrd"]) {
      for (const n of [0, 1, 4, 15, 16, 31]) {
        const mask = n === 1 ? ARITH & ~AF : ARITH & ~AF & ~OF;
        cases.push([`mov eax, 0x12345678\nmov ebx, 0x9abcdef0\nmov cl, ${n}\n${op} eax, ebx, cl`, mask]);
        cases.push([`stc\nmov eax, 0x87654321\nmov ebx, 0x0fedcba9\n${op} eax, ebx, ${n}\nmov edx, ebx`, mask]);
        if (n <= 16) cases.push([`mov eax, 0x8234\nmov ebx, 0xabcd\nmov cl, ${n}\n${op} ax, bx, cl`, mask]);
      }
    }
    compare(cases);
  });

  t("MUL/IMUL/DIV/IDIV", () => {
    const cases: Case[] = [];
    for (const a of V32) for (const b of ["1", "3", "0xffffffff", "0x80000000", "0x10000", "7"]) {
      cases.push([`mov eax, ${a}\nmov ebx, ${b}\nmul ebx`, CF | OF]);
      cases.push([`mov eax, ${a}\nmov ebx, ${b}\nimul ebx`, CF | OF]);
      cases.push([`mov eax, ${a}\nmov ebx, ${b}\nimul eax, ebx`, CF | OF]);
      cases.push([`mov eax, ${a}\nmov ebx, ${b}\nmul bx`, CF | OF]);
      cases.push([`mov eax, ${a}\nmov ebx, ${b}\nimul bl`, CF | OF]);
      cases.push([`mov eax, ${a}\nmov edx, 0\nmov ebx, ${b}\ndiv ebx`, 0]);
      cases.push([`mov eax, ${a}\ncdq\nmov ebx, ${b === "0xffffffff" ? "-3" : b}\nidiv ebx`, 0]);
      cases.push([`mov eax, ${a}\nand eax, 0xff\nmov ebx, ${b}\nor bl, 1\ndiv bl`, 0]);
      cases.push([`mov eax, ${a}\nand eax, 0xffff\nmov ebx, ${b}\nor bx, 1\ndiv bx`, 0]);
    }
    compare(cases);
  });

  t("BCD adjust", () => {
    const cases: Case[] = [];
    for (const a of ["0x09", "0x79", "0x99", "0x0f", "0x45", "0x9a", "0x00", "0xff", "0x03", "0x0a"]) {
      for (const b of ["0x01", "0x35", "0x99", "0x66"]) {
        for (const carry of ["clc", "stc"]) {
          cases.push([`${carry}\nmov eax, ${a}\nadd al, ${b}\ndaa`, CF | AF | ZF | SF | PF]);
          cases.push([`${carry}\nmov eax, ${a}\nsub al, ${b}\ndas`, CF | AF | ZF | SF | PF]);
          cases.push([`${carry}\nmov eax, 0x0300 + ${a}\nadd al, ${b}\naaa`, CF | AF]);
          cases.push([`${carry}\nmov eax, 0x0300 + ${a}\nsub al, ${b}\naas`, CF | AF]);
        }
      }
      cases.push([`mov eax, ${a}\naam`, ZF | SF | PF]);
      cases.push([`mov eax, 0x0300 + ${a}\naad`, ZF | SF | PF]);
    }
    compare(cases);
  });

  t("bit tests and scans, BSWAP, CMPXCHG, XADD", () => {
    const cases: Case[] = [];
    for (const n of ["0", "5", "31", "32", "-1", "100", "-33"]) {
      for (const op of ["bt", "bts", "btr", "btc"]) {
        cases.push([`mov dword [scratch+16], 0x80000021\nmov ecx, ${n}\n${op} [scratch+16], ecx\nmov eax, [scratch+16]\nmov edx, [scratch+12]`, CF]);
        cases.push([`mov eax, 0x80000021\nmov ecx, ${n}\n${op} eax, ecx`, CF]);
        cases.push([`mov eax, 0x8021\nmov ecx, ${n}\n${op} ax, cx`, CF]);
      }
    }
    for (const v of ["0", "1", "0x80000000", "0x00f00000", "0xffffffff"]) {
      cases.push([`mov edx, 77\nmov ebx, ${v}\nbsf edx, ebx\nmov eax, edx`, ZF]);
      cases.push([`mov edx, 77\nmov ebx, ${v}\nbsr edx, ebx\nmov eax, edx`, ZF]);
      cases.push([`mov eax, ${v}\nbswap eax`, ARITH]);
    }
    for (const [a, d] of [["5", "5"], ["5", "6"], ["0x80", "0x7f"]]) {
      cases.push([`mov dword [scratch], ${d}\nmov eax, ${a}\nmov ecx, 9\ncmpxchg [scratch], ecx\nmov edx, [scratch]`, ARITH]);
      cases.push([`mov ebx, ${d}\nmov eax, ${a}\nmov ecx, 9\ncmpxchg bl, cl\nmov edx, ebx`, ARITH]);
      cases.push([`mov dword [scratch], ${d}\nmov eax, ${a}\nxadd [scratch], eax\nmov edx, [scratch]`, ARITH]);
    }
    compare(cases);
  });
});
