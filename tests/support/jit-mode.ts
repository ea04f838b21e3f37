// Vitest setup: VMALAB_JIT=1 runs every test with the block compiler on (new CPUs compile
// hot code), VMALAB_JIT=0 with it off (the default), so CI can run the CPU and guest
// suites both ways.
import { CPU } from "../../emulator/cpu/cpu.ts";

if (process.env.VMALAB_JIT === "1") CPU.jitByDefault = true;
if (process.env.VMALAB_JIT === "0") CPU.jitByDefault = false;
