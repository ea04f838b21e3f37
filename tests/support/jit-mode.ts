// Vitest setup: VMALAB_JIT=0 runs every test with the block compiler off, so CI can run
// the CPU and guest suites through the interpreter alone as well as with the compiler.
import { CPU } from "../../emulator/cpu/cpu.ts";

if (process.env.VMALAB_JIT === "0") CPU.jitByDefault = false;
