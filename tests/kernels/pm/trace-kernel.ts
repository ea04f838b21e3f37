// Debug aid: node bin/run-ts.mjs tests/kernels/pm/trace-kernel.ts FILE.bin [maxSteps]
// Single-steps a test kernel and prints CS:EIP, CPL, EFLAGS and ESP for every instruction
// executed outside the kernel image (e.g. v86 or ring-3 code copied elsewhere).
import { readFileSync } from "node:fs";
import { Machine, DETERMINISTIC_EPOCH } from "../../../emulator/machine/machine.ts";

const file = process.argv[2];
const max = Number(process.argv[3] ?? 200000);
let out = "";
const m = new Machine({ memorySize: 16 << 20, startTime: DETERMINISTIC_EPOCH, onDebugOutput: (b) => (out += String.fromCharCode(b)) });
m.loadKernel(new Uint8Array(readFileSync(file)));
const cpu = m.cpu;
for (let i = 0; i < max && m.exitStatus === null; i++) {
  const lin = (cpu.segBase[1] + cpu.eip) >>> 0;
  if (lin < 0x100000 || lin > 0x200000) {
    const b = Array.from(m.mem.readBytes(lin, 4), (x) => x.toString(16).padStart(2, "0")).join(" ");
    console.log(`${cpu.segSel[1].toString(16)}:${(cpu.eip >>> 0).toString(16)} lin ${lin.toString(16)} [${b}] cpl ${cpu.cpl} fl ${cpu.getEflags().toString(16)} esp ${(cpu.regs[4] >>> 0).toString(16)}`);
  }
  const before = cpu.instructions;
  cpu.run(m.clock.cycles + 1);
  if (cpu.instructions === before && !cpu.halted) cpu.run(m.clock.cycles + 50);
  if (cpu.halted) { console.log("halted"); break; }
}
process.stdout.write(out);
