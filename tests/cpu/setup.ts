// Test helper: builds a CPU directly in flat 32-bit protected mode (or real mode),
// assembles guest code with nasm, and runs it until HLT or the first exception
// (cpu.stopOnException, so tests see the vector without an IDT).

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PhysicalMemory } from "../../emulator/memory/physmem.ts";
import { IoPorts } from "../../emulator/io/ports.ts";
import { Clock } from "../../emulator/machine/clock.ts";
import { CPU, CR0, S, Stop } from "../../emulator/cpu/cpu.ts";

function hasNasm(): boolean {
  try {
    execFileSync("nasm", ["-v"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export const NASM = hasNasm();
if (!NASM) {
  if (process.env.CI === "true") throw new Error("nasm is required for tests/cpu when CI=true");
  console.warn("tests/cpu: nasm not found, skipping assembler-based CPU tests");
}

/** Assembles `src` (nasm syntax) as a flat binary for origin `org`. */
export function asm(src: string, bits: 16 | 32 = 32, org = 0x1000): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "vmalab-asm-"));
  try {
    writeFileSync(join(dir, "t.asm"), `bits ${bits}\norg ${org}\n${src}\n`);
    execFileSync("nasm", ["-f", "bin", "-o", join(dir, "t.bin"), join(dir, "t.asm")], { stdio: "pipe" });
    return new Uint8Array(readFileSync(join(dir, "t.bin")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function setSeg(cpu: CPU, s: number, base: number, limit: number, attr: number): void {
  cpu.segSel[s] = s === S.CS ? 0x08 : 0x10;
  cpu.segBase[s] = base;
  cpu.segLimit[s] = limit;
  cpu.segAttr[s] = attr;
}

export interface Setup {
  ram?: number;
  bits?: 16 | 32;
  /** Real mode instead of 16-bit protected mode when bits = 16. */
  real?: boolean;
  org?: number;
  esp?: number;
}

/** A CPU in flat ring-0 protected mode (or real mode) with `code` at org (default 0x1000). */
export function makeCpu(code: Uint8Array, o: Setup = {}): CPU {
  const mem = new PhysicalMemory(o.ram ?? 4 << 20);
  const cpu = new CPU(mem, new IoPorts(), new Clock());
  cpu.reset();
  const org = o.org ?? 0x1000;
  if (o.real) {
    for (let s = 0; s < 6; s++) {
      cpu.segSel[s] = 0;
      cpu.segBase[s] = 0;
      cpu.segLimit[s] = 0xffff;
      cpu.segAttr[s] = s === S.CS ? 0x9b : 0x93;
    }
  } else {
    cpu.cr0 |= CR0.PE;
    const big = o.bits === 16 ? 0 : 0xc000; // D/B and G
    for (let s = 0; s < 6; s++) setSeg(cpu, s, 0, -1, (s === S.CS ? 0x9b : 0x93) | big);
  }
  cpu.cpl = 0;
  cpu.eip = org;
  cpu.regs[4] = o.esp ?? (o.real ? 0xfff0 : 0x3ff000);
  cpu.onModeChange();
  cpu.flushTlb();
  mem.writeBytes(org, code);
  cpu.stopOnException = true;
  return cpu;
}

export interface Result {
  cpu: CPU;
  stop: Stop;
  /** Vector of the exception that stopped the run, or -1 when it ended in HLT. */
  exception: number;
}

/**
 * Gives `cpu` a GDT at 0x9800 (outside the memory the tests compare): flat 4 GiB code
 * (selector 0x08) and data (0x10), then a 4 GiB data segment for each of `bases`
 * (0x18, 0x20, ...).
 */
export function withDataSegments(cpu: CPU, ...bases: number[]): CPU {
  const gdt = 0x9800;
  cpu.mem.write32(gdt + 0x08, 0x0000ffff); cpu.mem.write32(gdt + 0x0c, 0x00cf9b00);
  cpu.mem.write32(gdt + 0x10, 0x0000ffff); cpu.mem.write32(gdt + 0x14, 0x00cf9300);
  bases.forEach((b, i) => {
    cpu.mem.write32(gdt + 0x18 + i * 8, ((b & 0xffff) << 16) | 0xffff);
    cpu.mem.write32(gdt + 0x1c + i * 8, (b & 0xff000000) | 0x00cf9300 | ((b >>> 16) & 0xff));
  });
  cpu.gdtBase = gdt;
  cpu.gdtLimit = 0x17 + bases.length * 8;
  return cpu;
}

/** Runs until HLT, an exception or `cycles`. */
export function run(cpu: CPU, cycles = 50_000_000): Result {
  cpu.lastException = -1;
  const stop = cpu.run(cpu.clock.cycles + cycles);
  return { cpu, stop, exception: stop === Stop.Requested ? cpu.lastException : -1 };
}

/** Assembles and runs `src`; the program should end with `hlt`. */
export function runAsm(src: string, o: Setup = {}): Result {
  const bits = o.bits ?? 32;
  const code = asm(src, bits, o.org ?? 0x1000);
  return run(makeCpu(code, o));
}

export const FLAGS_MASK = 0x8d5; // CF PF AF ZF SF OF
