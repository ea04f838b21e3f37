// The Bochs/QEMU debug console at port 0xE9: every byte written goes to the
// host (a terminal or a file); a read returns 0xE9 so a guest can detect it.

import type { IoPorts } from "../io/ports.ts";

export const DEBUGCON_PORT = 0xe9;

export class DebugCon {
  /** Receives every byte the guest writes. */
  onOutput: (byte: number) => void = () => {};

  constructor(io: IoPorts) {
    io.register(DEBUGCON_PORT, 1, {
      in8: () => DEBUGCON_PORT,
      out8: (_p, v) => this.onOutput(v),
    });
  }
}
