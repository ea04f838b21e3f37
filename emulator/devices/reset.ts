// The ways a PC guest resets itself: the 8042 keyboard controller's pulse
// command (0xFE to port 0x64, or output-port bit 0 cleared through command
// 0xD1 + a byte to 0x60) and port 0x92 (System Control Port A: bit 0 fast reset,
// bit 1 A20). Nothing else of the 8042 is
// emulated: its status reads "input buffer empty, no data".
//
// A20 is always enabled: the A20 bit of port 0x92 and of the 8042 output port
// reads back as 1 and clearing it has no effect (documented limitation).

import type { IoPorts } from "../io/ports.ts";

export class ResetControl {
  /** Called when the guest asks for a reset. */
  onReset: () => void = () => {};
  private expectOutputPort = false;

  constructor(io: IoPorts) {
    io.register(0x64, 1, {
      in8: () => 0x1c, // system flag, command last, keyboard not inhibited; buffers empty
      out8: (_p, v) => {
        this.expectOutputPort = v === 0xd1;
        if (v === 0xfe) this.onReset();
      },
    });
    io.register(0x60, 1, {
      in8: () => 0x00,
      out8: (_p, v) => {
        if (this.expectOutputPort && (v & 1) === 0) this.onReset();
        this.expectOutputPort = false;
      },
    });
    io.register(0x92, 1, {
      in8: () => 0x02,
      out8: (_p, v) => {
        if (v & 1) this.onReset();
      },
    });
  }
}
