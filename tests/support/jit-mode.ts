// Vitest setup: VMALAB_JIT=0 runs every test with the block compiler off (new CPUs only
// interpret), VMALAB_JIT=1 with it on (the default), so CI can run the CPU and guest
// suites both ways.
import { CPU } from "../../emulator/cpu/cpu.ts";

if (process.env.VMALAB_JIT === "1") CPU.jitByDefault = true;
// compiling from the first instruction, not after the warm-up that spares short runs the
// cost: the tests' guests are short, and should exercise the compiler
CPU.jitWarmupByDefault = 0;
if (process.env.VMALAB_JIT === "0") CPU.jitByDefault = false;
