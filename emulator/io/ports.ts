// The x86 I/O port space (64 KiB of 8-bit ports). Devices register handlers
// for the ports they decode; an access nobody decodes reads as all ones and
// writes are dropped, as on an ISA bus with no device answering.

export interface PortHandler {
  in8?(port: number): number;
  out8?(port: number, value: number): void;
  /** Wider accesses; when absent they are split into byte accesses on consecutive ports. */
  in16?(port: number): number;
  out16?(port: number, value: number): void;
  in32?(port: number): number;
  out32?(port: number, value: number): void;
}

const NONE: PortHandler = {};

export class IoPorts {
  private readonly handlers: PortHandler[] = new Array(0x10000).fill(NONE);
  /** Cycles charged per port access (ISA bus timing); read by the CPU's in/out. */
  accessCycles = 0;

  /** Routes ports [first, first+count) to `handler`, replacing earlier owners. */
  register(first: number, count: number, handler: PortHandler): void {
    for (let i = 0; i < count; i++) this.handlers[(first + i) & 0xffff] = handler;
  }

  in8(port: number): number {
    const h = this.handlers[port & 0xffff];
    return h.in8 ? h.in8(port & 0xffff) & 0xff : 0xff;
  }

  in16(port: number): number {
    const h = this.handlers[port & 0xffff];
    if (h.in16) return h.in16(port & 0xffff) & 0xffff;
    return this.in8(port) | (this.in8(port + 1) << 8);
  }

  in32(port: number): number {
    const h = this.handlers[port & 0xffff];
    if (h.in32) return h.in32(port & 0xffff) | 0;
    return (this.in16(port) | (this.in16(port + 2) << 16)) | 0;
  }

  out8(port: number, value: number): void {
    const h = this.handlers[port & 0xffff];
    if (h.out8) h.out8(port & 0xffff, value & 0xff);
  }

  out16(port: number, value: number): void {
    const h = this.handlers[port & 0xffff];
    if (h.out16) return h.out16(port & 0xffff, value & 0xffff);
    this.out8(port, value);
    this.out8(port + 1, value >>> 8);
  }

  out32(port: number, value: number): void {
    const h = this.handlers[port & 0xffff];
    if (h.out32) return h.out32(port & 0xffff, value | 0);
    this.out16(port, value);
    this.out16(port + 2, value >>> 16);
  }
}
