// QEMU's isa-debug-exit device at port 0xF4: a write of V ends the run with
// exit status (V << 1) | 1, so test kernels written for QEMU run unchanged.
// Byte, word and dword writes are accepted; the status is the full value as
// QEMU computes it (a process exit status keeps its low 8 bits).

import type { IoPorts } from "../io/ports.ts";

export const EXIT_PORT = 0xf4;

export class ExitPort {
  /** Called with the exit status when the guest writes the port. */
  onExit: (status: number) => void = () => {};

  constructor(io: IoPorts) {
    const write = (_p: number, v: number) => this.onExit((((v >>> 0) << 1) | 1) >>> 0);
    io.register(EXIT_PORT, 1, { out8: write, out16: write, out32: write });
  }
}
