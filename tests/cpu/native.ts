// Differential testing against a reference CPU: the same instruction snippets run as an
// i386 Linux ELF built with nasm + ld.lld (on this host's CPU, or under qemu-user where the
// host cannot execute i386 programs: tests/support/i386-reference.ts) and in the emulator. Each snippet starts with zeroed registers and flags and ends by recording
// EAX, EDX and EFLAGS. Snippets may use the 64-byte buffer `scratch`.

import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asm, makeCpu, run } from "./setup.ts";
import { execI386, i386Unavailable } from "../support/i386-reference.ts";

function haveTools(): string | null {
  for (const [cmd, arg] of [["nasm", "-v"], ["ld.lld", "--version"]]) {
    try {
      execFileSync(cmd, [arg], { stdio: "ignore" });
    } catch {
      return `${cmd} not found`;
    }
  }
  return i386Unavailable();
}

export const NATIVE_MISSING = haveTools();
if (NATIVE_MISSING && process.env.CI === "true") throw new Error(`differential tests need ${NATIVE_MISSING}`);

function body(snips: string[]): string {
  return snips
    .map(
      (s, i) => `
  xor eax, eax
  xor ebx, ebx
  xor ecx, ecx
  xor edx, edx
  xor esi, esi
  xor edi, edi
  push dword 0
  popfd
${s}
  pushfd
  pop dword [res + ${i * 12 + 8}]
  mov [res + ${i * 12}], eax
  mov [res + ${i * 12 + 4}], edx`,
    )
    .join("\n");
}

/** Per snippet: [eax, edx, eflags] from the host CPU. */
export function runNative(snips: string[]): Int32Array {
  const dir = mkdtempSync(join(tmpdir(), "vmalab-native-"));
  try {
    const src = `bits 32
global _start
section .text
_start:
${body(snips)}
  mov eax, 4
  mov ebx, 1
  mov ecx, res
  mov edx, ${snips.length * 12}
  int 0x80
  mov eax, 1
  xor ebx, ebx
  int 0x80
section .bss
res: resb ${snips.length * 12}
scratch: resb 64
`;
    writeFileSync(join(dir, "t.asm"), src);
    execFileSync("nasm", ["-f", "elf32", "-o", join(dir, "t.o"), join(dir, "t.asm")]);
    execFileSync("ld.lld", ["-m", "elf_i386", "-o", join(dir, "t"), join(dir, "t.o")]);
    const out = execI386(join(dir, "t"));
    return new Int32Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.length));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Per snippet: [eax, edx, eflags] from the emulator (flat ring 0). */
export function runEmulated(snips: string[]): Int32Array {
  const src = `${body(snips)}
  hlt
align 16
res: times ${snips.length * 12} db 0
scratch: times 64 db 0
`;
  const code = asm(src, 32, 0x1000);
  const r = run(makeCpu(code));
  if (r.exception !== -1) throw new Error(`emulated snippets raised exception ${r.exception}`);
  // res follows the hlt, 16-byte aligned: find it from the assembled length
  const resAt = 0x1000 + code.length - 64 - snips.length * 12;
  const out = new Int32Array(snips.length * 3);
  for (let i = 0; i < out.length; i++) out[i] = r.cpu.mem.read32(resAt + i * 4);
  return out;
}
