// The workload of `npm run bench:cpu` (bench/cpu.ts runs this file bundled) — MIPS
// of the CPU core on a fixed guest integer workload:
// flat 32-bit protected mode, ring 0, paging on (identity page tables, 4 KiB
// pages), a loop mixing ALU ops, loads/stores through a table, compares, taken and
// untaken branches, and a call/ret. Deterministic: the same instruction and cycle
// counts every run. Prints instructions, guest cycles, host seconds, MIPS and the
// host process's peak resident memory. MIPS is given per wall-clock second and per
// second of host CPU time (the latter is the stable figure on a shared machine).

import { PhysicalMemory } from "../emulator/memory/physmem.ts";
import { IoPorts } from "../emulator/io/ports.ts";
import { Clock } from "../emulator/machine/clock.ts";
import { CPU, CR0, S, Stop } from "../emulator/cpu/cpu.ts";

const RAM = 16 << 20;
const ORG = 0x100000;
const PD = 0x10000; // page directory; page tables follow it

// nasm source (bits 32, org 0x100000):
//   mov esp, 0x200000 / mov ecx, 11500000 / xor eax, eax / mov esi, 0x300000 / xor edx, edx
// outer: mov ebx, ecx / and ebx, 0xff / mov edi, [esi+ebx*4] / add edi, ecx / xor edi, eax
//   mov [esi+ebx*4], edi / add eax, edi / cmp ebx, 0x80 / jb skip / sub eax, ebx / inc edx
// skip: call func / test eax, 1 / jz even / add edx, 3
// even: dec ecx / jnz outer / hlt
// func: lea eax, [eax+edx*2+1] / ret
const WORKLOAD = [
  0xbc, 0x00, 0x00, 0x20, 0x00, 0xb9, 0xe0, 0x79, 0xaf, 0x00, 0x31, 0xc0, 0xbe, 0x00, 0x00, 0x30, 0x00, 0x31, 0xd2,
  0x89, 0xcb, 0x81, 0xe3, 0xff, 0x00, 0x00, 0x00, 0x8b, 0x3c, 0x9e, 0x01, 0xcf, 0x31, 0xc7, 0x89, 0x3c, 0x9e, 0x01,
  0xf8, 0x81, 0xfb, 0x80, 0x00, 0x00, 0x00, 0x72, 0x03, 0x29, 0xd8, 0x42, 0xe8, 0x0e, 0x00, 0x00, 0x00, 0xa9, 0x01,
  0x00, 0x00, 0x00, 0x74, 0x03, 0x83, 0xc2, 0x03, 0x49, 0x75, 0xcf, 0xf4, 0x8d, 0x44, 0x50, 0x01, 0xc3,
];

function buildMachine(): CPU {
  const mem = new PhysicalMemory(RAM);
  const cpu = new CPU(mem, new IoPorts(), new Clock());
  cpu.reset();
  // identity-map all RAM with 4 KiB pages, supervisor read/write
  const tables = RAM >>> 22;
  for (let t = 0; t < tables; t++) {
    const pt = PD + 0x1000 * (t + 1);
    mem.write32(PD + t * 4, pt | 0x3);
    for (let i = 0; i < 1024; i++) mem.write32(pt + i * 4, (((t << 10) + i) << 12) | 0x3);
  }
  const code = Uint8Array.from(WORKLOAD);
  // optional argument: loop iterations (for profiling); the benchmark figure uses the default
  const n = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 0);
  if (n > 0) new DataView(code.buffer).setUint32(6, n, true);
  mem.writeBytes(ORG, code);
  for (let s = 0; s < 6; s++) {
    cpu.segSel[s] = s === S.CS ? 0x08 : 0x10;
    cpu.segBase[s] = 0;
    cpu.segLimit[s] = -1;
    cpu.segAttr[s] = (s === S.CS ? 0x9b : 0x93) | 0xc000;
  }
  cpu.cr3 = PD;
  cpu.cr0 |= CR0.PE | CR0.PG | CR0.WP;
  cpu.cpl = 0;
  cpu.eip = ORG;
  cpu.flushTlb();
  cpu.onModeChange();
  return cpu;
}

const cpu = buildMachine();
const t0 = process.hrtime.bigint();
const u0 = process.cpuUsage();
const stop = cpu.run(Number.MAX_SAFE_INTEGER);
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
const u = process.cpuUsage(u0);
const cpuSecs = (u.user + u.system) / 1e6;
if (stop !== Stop.Halted || cpu.lastException !== -1) {
  console.error(`bench:cpu: workload did not finish cleanly (stop ${stop}, exception ${cpu.lastException})`);
  process.exit(1);
}
const mips = cpu.instructions / secs / 1e6;
const cpuMips = cpu.instructions / cpuSecs / 1e6;
const rssMiB = process.resourceUsage().maxRSS / 1024;
const rows: [string, string][] = [
  ["instructions", String(cpu.instructions)],
  ["guest cycles", String(cpu.clock.cycles)],
  ["host seconds", secs.toFixed(3)],
  ["host CPU seconds", cpuSecs.toFixed(3)],
  ["MIPS", mips.toFixed(1)],
  ["MIPS (CPU time)", cpuMips.toFixed(1)],
  ["peak RSS (MiB)", rssMiB.toFixed(1)],
  ["guest RAM (MiB)", String(RAM >>> 20)],
];
if (process.argv.includes("--json")) {
  console.log(JSON.stringify({ instructions: cpu.instructions, cycles: cpu.clock.cycles, secs, cpuSecs, mips, cpuMips, rssMiB, ramMiB: RAM >>> 20 }));
} else {
  console.log("vmalab CPU benchmark: integer loop, paging on");
  for (const [k, v] of rows) console.log(`  ${k.padEnd(18)} ${v.padStart(14)}`);
}
