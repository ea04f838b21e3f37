// Runs x87 instruction sequences twice, in vmalab's CPU and natively on this host's x87
// (tests/fpu/seq.c), and returns both data buffers. A case is nasm source (32-bit, memory only
// as [ebx+disp]) run between `fninit; fldcw [ebx]` and `fnsave [ebx+SAVE]; ret`, with a data
// buffer prepared by the test. All cases are assembled by one nasm run, each padded to CODE bytes.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { asm, makeCpu, run } from "../cpu/setup.ts";

export const CODE = 256;
export const DATA = 2048;
/** Where the wrapper's FNSAVE image goes, and the fault record (seq.c FAULT_AT). */
export const SAVE = 0x400;
export const FAULT_AT = 0x7f0;

export interface SeqCase {
  name: string;
  body: string;
  data: Uint8Array; // DATA bytes; the control word for the wrapper's FLDCW at offset 0
}

const SOURCE = join(dirname(fileURLToPath(import.meta.url)), "seq.c");

/** Assembles every case; returns CODE bytes per case. */
export function assemble(cases: SeqCase[]): Uint8Array {
  const src = cases
    .map((c, i) => `fninit\nfldcw [ebx]\n${c.body}\nfnsave [ebx+${SAVE}]\nret\ntimes ${CODE * (i + 1)}-($-$$) db 0xcc`)
    .join("\n");
  const bin = asm(src, 32, 0);
  if (bin.length !== CODE * cases.length) throw new Error("a case is longer than CODE bytes");
  return bin;
}

/** Runs the cases natively (clang-built seq.c); returns DATA bytes per case. */
export function runNative(code: Uint8Array, cases: SeqCase[]): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "vmalab-x87seq-"));
  try {
    const bin = join(dir, "seq");
    execFileSync("clang", ["-O1", "-mno-red-zone", "-o", bin, SOURCE], { stdio: ["ignore", "ignore", "inherit"] });
    const input = new Uint8Array(4 + cases.length * (CODE + DATA));
    new DataView(input.buffer).setUint32(0, cases.length, true);
    cases.forEach((c, i) => {
      const o = 4 + i * (CODE + DATA);
      input.set(code.subarray(i * CODE, (i + 1) * CODE), o);
      input.set(c.data, o + CODE);
    });
    writeFileSync(join(dir, "in"), input);
    const out = execFileSync(bin, [], { input: readFileSync(join(dir, "in")), maxBuffer: 1 << 30 });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const BUF = 0x100000;
const AT = 0x2000;

/** Runs the cases in vmalab's CPU (flat 32-bit ring 0, CR0.NE set); returns DATA bytes per case. */
export function runVmalab(code: Uint8Array, cases: SeqCase[]): Uint8Array {
  const cpu = makeCpu(asm(`call ${AT}\nhlt`, 32, 0x1000));
  const out = new Uint8Array(cases.length * DATA);
  cases.forEach((c, i) => {
    cpu.mem.writeBytes(AT, code.subarray(i * CODE, (i + 1) * CODE));
    cpu.mem.writeBytes(BUF, c.data);
    cpu.flushCodeCache();
    cpu.cr0 |= 0x20; // NE
    cpu.eip = 0x1000;
    cpu.halted = false;
    cpu.regs[3] = BUF;
    cpu.regs[4] = 0x3ff000;
    const r = run(cpu, 1_000_000);
    const res = cpu.mem.ram.slice(BUF, BUF + DATA);
    if (r.exception >= 0) {
      const v = new DataView(res.buffer);
      if (r.exception === 16) {
        v.setUint32(FAULT_AT, cpu.lastExceptionEip - AT + 1, true);
        v.setUint16(FAULT_AT + 4, cpu.fpu.env.cw, true);
        v.setUint16(FAULT_AT + 6, (cpu.fpu.env.sw & ~0x3800) | (cpu.fpu.top << 11), true);
        v.setUint16(FAULT_AT + 8, ~cpu.fpu.empty & 0xff, true);
      } else v.setUint32(FAULT_AT, 0xdead0000 + r.exception, true);
    }
    out.set(res, i * DATA);
  });
  return out;
}

/**
 * Marks the bytes of a DATA buffer (the host's, at offset o) not compared: the FNSAVE image's
 * instruction and operand pointers, and the contents of the registers it tags empty (FNSAVE
 * stores whatever an empty register last held).
 */
export function ignoredMask(b: Uint8Array, o: number): Uint8Array {
  const m = new Uint8Array(DATA);
  m.fill(1, SAVE + 12, SAVE + 28);
  m.fill(1, 0x30c, 0x31c); // the FNSTENV/FNSAVE images some cases store at 0x300 and 0x500
  m.fill(1, 0x50c, 0x51c);
  m.fill(1, 0x606, 0x60e); // the 16-bit layouts' pointers at 0x600
  const sw = b[o + SAVE + 4] | (b[o + SAVE + 5] << 8);
  const tw = b[o + SAVE + 8] | (b[o + SAVE + 9] << 8);
  const top = (sw >> 11) & 7;
  for (let i = 0; i < 8; i++) {
    if (((tw >> (((top + i) & 7) * 2)) & 3) === 3) m.fill(1, SAVE + 28 + i * 10, SAVE + 38 + i * 10);
  }
  return m;
}
