// A paravirtual multi-port console ("vport"), in the spirit of QEMU's
// virtio-serial (the virtio 1.1 specification, section 5.3 "Console Device";
// Linux drivers/char/virtio_console.c): a few byte-stream ports, each with an
// optional host source (host -> guest) and host sink (guest -> host), moved
// by DMA from guest physical memory. It is vmalab's own register interface,
// not virtio rings: 32-bit registers at VPORT_BASE, one interrupt line.
//
//   +0x00 ID      r   VPORT_MAGIC ("VPRT")
//   +0x04 NPORTS  r   number of ports
//   +0x08 SEL     rw  the port the registers below address
//   +0x0C STATUS  r   selected port: PRESENT_IN, PRESENT_OUT, TX_CLOSED
//   +0x10 ADDR    rw  DMA buffer, guest physical address
//   +0x14 LEN     rw  DMA length in bytes (at most VPORT_MAX_DMA)
//   +0x18 CMD     w   VportCmd.RX, TX or POLL_RX on the selected port
//   +0x1C RESULT  r   outcome of the last command (see VportResult)
//   +0x20 ISR     r   ports whose RX became ready since the last read (bit n =
//                     port n); reading clears it and lowers the line
//
// Determinism: the guest sees host data only when it asks (RX, POLL_RX), and
// the answer comes synchronously from the host side's buffer. When the
// buffer cannot answer (empty, no end of file yet), the
// command says AGAIN and the device holds the whole machine (`waiting`; the
// Machine executes nothing and lets no guest time pass) until the host side
// calls hostReady(); then the port's ISR bit is set and the interrupt raised,
// so the guest learns of the data at the same instruction whatever the host's
// timing. A sink that is full (write() returned false) holds the machine the
// same way until it drains, so a guest writing faster than the host reads is
// stopped without any byte being buffered beyond the sink's own bound.

import type { IoPorts } from "../io/ports.ts";
import type { PhysicalMemory } from "../memory/physmem.ts";

export const VPORT_BASE = 0x0560;
export const VPORT_IRQ = 5;
export const VPORT_MAGIC = 0x54525056; // "VPRT" little-endian
/** Largest DMA transfer of one command. */
export const VPORT_MAX_DMA = 65536;

export const enum VportReg {
  ID = 0x00, NPORTS = 0x04, SEL = 0x08, STATUS = 0x0c, ADDR = 0x10, LEN = 0x14, CMD = 0x18, RESULT = 0x1c, ISR = 0x20,
}
export const VPORT_REGS = 0x24;

export const enum VportCmd {
  /** Copy up to LEN host bytes to ADDR. */
  RX = 1,
  /** Send LEN bytes at ADDR to the host. */
  TX = 2,
  /** RESULT 1 when RX would return data or end of file now; else 0, and the port interrupts once it would. */
  POLL_RX = 3,
}

export const enum VportStatus {
  PRESENT_IN = 1, // a host source is attached
  PRESENT_OUT = 2, // a host sink is attached
  TX_CLOSED = 4, // the host's reader is gone: TX fails with CLOSED
}

/** RESULT values (as signed 32-bit); non-negative is a byte count (0 for RX: end of file). */
export const enum VportResult {
  AGAIN = -1, // RX: nothing yet (the machine is held, then the port interrupts); TX: full, retry after this instruction
  CLOSED = -2, // TX to a sink whose reader is gone
  FAULT = -3, // ADDR/LEN outside RAM or LEN too big
  NODEV = -4, // no port, or no source/sink for this direction
}

/** Host bytes for the guest. */
export interface VportSource {
  /**
   * Whether read() can answer now: with data, or with end of file. When it
   * returns false the source must call the notify function it was attached
   * with once it can (more data, or end of file).
   */
  readable(): boolean;
  /** Copies up to `length` bytes into dst[offset..]; returns the count, 0 at end of file. Only called when readable(). */
  read(dst: Uint8Array, offset: number, length: number): number;
}

/** Guest bytes for the host. */
export interface VportSink {
  /**
   * Takes src[offset, offset+length) (copying what it keeps; the view is valid only during
   * the call). Returns false when its buffer is now full: it then calls notify once it has drained.
   */
  write(src: Uint8Array, offset: number, length: number): boolean;
  /** Whether it has room again after write() said it was full. */
  writable(): boolean;
  /** True once the host's reader is gone: the guest's writes fail (EPIPE). */
  readonly closed: boolean;
}

/** What the host attaches to one port. */
export interface VportHostEnd {
  source?: VportSource | null;
  sink?: VportSink | null;
  /** Receives the function to call when a source has data or end of file, or a sink drained or lost its reader. */
  connect?(notify: () => void): void;
}

interface Port {
  source: VportSource | null;
  sink: VportSink | null;
  /** The machine is held until the source can answer. */
  rxWait: boolean;
  /** The machine is held until the sink drains. */
  txWait: boolean;
}

export class Vport {
  /** Called when the device starts holding the machine (the Machine stops the CPU at the next boundary). */
  onHold: () => void = () => {};
  /** Called when the device stops holding the machine. */
  onRelease: () => void = () => {};

  private readonly ports: Port[] = [];
  private sel = 0;
  private addr = 0;
  private len = 0;
  private result = 0;
  private isr = 0;
  private irqLevel = false;
  /** Ports holding the machine. */
  private holds = 0;

  constructor(
    io: IoPorts,
    private readonly mem: PhysicalMemory,
    private readonly setIrq: (level: boolean) => void,
    readonly base = VPORT_BASE,
  ) {
    io.register(base, VPORT_REGS, {
      in32: (port) => this.read32(port - base),
      out32: (port, v) => this.write32(port - base, v),
    });
  }

  /**
   * Attaches host ends to port `n` (0 to 31, one ISR bit each; attaching port n
   * creates every lower port, unconnected). Call before the guest probes.
   */
  attach(n: number, end: VportHostEnd): void {
    if (!(n >= 0 && n < 32)) throw new RangeError(`Vport.attach: no port ${n} (0-31)`);
    while (this.ports.length <= n) this.ports.push({ source: null, sink: null, rxWait: false, txWait: false });
    const p = this.ports[n];
    p.source = end.source ?? null;
    p.sink = end.sink ?? null;
    end.connect?.(() => this.hostReady());
  }

  /** True while the machine must not run: a port waits for its host side. */
  get waiting(): boolean {
    return this.holds > 0;
  }

  /** Register state back to power-on; attachments stay, a hold is dropped. */
  reset(): void {
    this.sel = this.addr = this.len = this.result = 0;
    this.isr = 0;
    for (const p of this.ports) p.rxWait = p.txWait = false;
    if (this.holds > 0) {
      this.holds = 0;
      this.onRelease();
    }
    this.update();
  }

  /** The host side has news (data, end of file, drained, reader gone): releases the ports that can go on. */
  hostReady(): void {
    for (let n = 0; n < this.ports.length; n++) {
      const p = this.ports[n];
      if (p.rxWait && p.source!.readable()) {
        p.rxWait = false;
        this.isr |= 1 << n;
        this.unhold();
      }
      if (p.txWait && (p.sink!.closed || p.sink!.writable())) {
        p.txWait = false;
        this.unhold();
      }
    }
    this.update();
  }

  private hold(): void {
    if (this.holds++ === 0) this.onHold();
  }

  private unhold(): void {
    if (--this.holds === 0) this.onRelease();
  }

  private update(): void {
    const level = this.isr !== 0;
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.setIrq(level);
    }
  }

  private read32(reg: number): number {
    switch (reg) {
      case VportReg.ID:
        return VPORT_MAGIC;
      case VportReg.NPORTS:
        return this.ports.length;
      case VportReg.SEL:
        return this.sel;
      case VportReg.STATUS:
        return this.status();
      case VportReg.ADDR:
        return this.addr;
      case VportReg.LEN:
        return this.len;
      case VportReg.RESULT:
        return this.result;
      case VportReg.ISR: {
        const v = this.isr;
        this.isr = 0;
        this.update();
        return v;
      }
      default:
        return 0;
    }
  }

  private write32(reg: number, v: number): void {
    switch (reg) {
      case VportReg.SEL:
        this.sel = v >>> 0;
        break;
      case VportReg.ADDR:
        this.addr = v >>> 0;
        break;
      case VportReg.LEN:
        this.len = v >>> 0;
        break;
      case VportReg.CMD:
        this.result = this.command(v);
        break;
    }
  }

  private status(): number {
    const p = this.ports[this.sel];
    if (p === undefined) return 0;
    let s = 0;
    if (p.source) s |= VportStatus.PRESENT_IN;
    if (p.sink) {
      s |= VportStatus.PRESENT_OUT;
      if (p.sink.closed) s |= VportStatus.TX_CLOSED;
    }
    return s;
  }

  private command(cmd: number): number {
    const p = this.ports[this.sel];
    if (p === undefined) return VportResult.NODEV;
    switch (cmd) {
      case VportCmd.RX:
      case VportCmd.POLL_RX: {
        const src = p.source;
        if (src === null) return VportResult.NODEV;
        const again = cmd === VportCmd.RX ? VportResult.AGAIN : 0;
        if (p.rxWait) return again;
        if (!src.readable()) {
          // "not yet" depends on host timing: hold the machine until it changes, then interrupt
          p.rxWait = true;
          this.hold();
          return again;
        }
        if (cmd === VportCmd.POLL_RX) return 1;
        if (!this.inRam()) return VportResult.FAULT;
        if (this.len === 0) return 0;
        const n = src.read(this.scratch, 0, this.len);
        if (n > 0) this.mem.writeBytes(this.addr, this.scratch.subarray(0, n));
        return n;
      }
      case VportCmd.TX: {
        const sink = p.sink;
        if (sink === null) return VportResult.NODEV;
        if (sink.closed) return VportResult.CLOSED;
        if (p.txWait) return VportResult.AGAIN; // full: the machine stops after this instruction
        if (!this.inRam()) return VportResult.FAULT;
        if (this.len === 0) return 0;
        if (!sink.write(this.mem.ram, this.addr, this.len) && !sink.closed) {
          p.txWait = true;
          this.hold();
        }
        return this.len;
      }
      default:
        return VportResult.NODEV;
    }
  }

  /** Bounce buffer for RX: the source fills it, then it is stored through PhysicalMemory (code-page invalidation). */
  private readonly scratch = new Uint8Array(VPORT_MAX_DMA);

  private inRam(): boolean {
    return this.len <= VPORT_MAX_DMA && this.addr + this.len <= this.mem.ramSize;
  }
}
