// The POST diagnostic port 0x80: firmware and kernels write progress codes
// to it (Linux also writes it as an I/O delay). The last value is kept for the
// monitor and each write can be logged. Reads return the last value.

import type { IoPorts } from "../io/ports.ts";

export const POST_PORT = 0x80;

export class PostCode {
  /** The last byte written (0 after power-on). */
  last = 0;
  /** Called with every code written, when set. */
  onCode: ((code: number) => void) | null = null;

  constructor(io: IoPorts) {
    io.register(POST_PORT, 1, {
      in8: () => this.last,
      out8: (_p, v) => {
        this.last = v;
        if (this.onCode) this.onCode(v);
      },
    });
  }
}
