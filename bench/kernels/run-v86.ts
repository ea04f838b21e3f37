// Runs one benchmark kernel on v86 (the npm package `v86`, BSD-2-Clause) through its
// `multiboot` option, which loads the kernel without a BIOS (v86.d.ts: V86Options.multiboot).
// `jit: false` sets v86's documented `disable_jit` option ("Turn off the x86-to-wasm jit",
// v86.d.ts), leaving its interpreter. The run ends when the kernel's newline arrives on
// COM1 (the "serial0-output-byte" event of v86.d.ts); the kernel then sits in `cli; hlt`
// and the emulator is stopped and destroyed.

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { KERNEL_RAM } from "./workloads.ts";
import type { KernelTiming } from "./run-vmalab.ts";

export interface V86KernelRun extends KernelTiming {
  /** v86's own instruction counter at the end (get_instruction_counter(); its own way of counting). */
  v86Instructions: number;
}

/** Path of v86's build/ folder as installed in node_modules (throws when the package is missing). */
export function v86BuildDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("v86/package.json")), "build");
}

/**
 * Boots `image` on a fresh v86 (JIT on or off), waits for the kernel's last output
 * byte and returns output and host time from `run()` to that byte. `wasmPath` is
 * v86's build/v86.wasm; rejects after `timeoutMs` or when v86 cannot load.
 */
export async function runKernelOnV86(image: Uint8Array, jit: boolean, wasmPath = join(v86BuildDir(), "v86.wasm"), timeoutMs = 600_000): Promise<V86KernelRun> {
  const { V86 } = await import("v86");
  const copy = image.slice();
  const emulator = new V86({
    wasm_path: wasmPath,
    memory_size: KERNEL_RAM,
    vga_memory_size: 2 << 20,
    multiboot: { buffer: copy.buffer },
    disable_jit: !jit,
    autostart: false,
    disable_keyboard: true,
    disable_mouse: true,
    disable_speaker: true,
  });
  try {
    await new Promise<void>((resolve) => emulator.add_listener("emulator-ready", () => resolve()));
    return await new Promise<V86KernelRun>((resolve, reject) => {
      let output = "";
      let t0 = 0n;
      let u0: NodeJS.CpuUsage = { user: 0, system: 0 };
      const timer = setTimeout(() => reject(new Error(`v86: no end of output after ${timeoutMs} ms (output ${JSON.stringify(output)})`)), timeoutMs);
      emulator.add_listener("serial0-output-byte", (b: number) => {
        output += String.fromCharCode(b);
        if (b !== 10) return;
        const secs = Number(process.hrtime.bigint() - t0) / 1e9;
        const u = process.cpuUsage(u0);
        clearTimeout(timer);
        resolve({ output, secs, cpuSecs: (u.user + u.system) / 1e6, v86Instructions: emulator.get_instruction_counter() });
      });
      t0 = process.hrtime.bigint();
      u0 = process.cpuUsage();
      void emulator.run();
    });
  } finally {
    await emulator.stop();
    await emulator.destroy();
  }
}
