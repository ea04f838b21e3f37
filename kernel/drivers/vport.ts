// Driver for vmalab's paravirtual console ("vport", emulator/devices/vport.ts;
// its register interface is restated here as a driver's header would, in the
// spirit of Linux's drivers/char/virtio_console.c): a few host byte streams,
// each moved through one bounce page of kernel memory by the device's DMA.
// Readers of a port with nothing to read sleep on the port's wait queue until
// the port's interrupt; writes never wait (a full host sink holds the whole
// machine inside the device instead), and fail with EPIPE once the host's
// reader is gone.

import type { X86 } from "../arch/x86.ts";
import { WaitQueue } from "../wait.ts";

export const VPORT_BASE = 0x0560;
export const VPORT_IRQ = 5;
const VPORT_MAGIC = 0x54525056; // "VPRT"
const REG_ID = 0x00, REG_NPORTS = 0x04, REG_SEL = 0x08, REG_STATUS = 0x0c, REG_ADDR = 0x10, REG_LEN = 0x14, REG_CMD = 0x18,
  REG_RESULT = 0x1c, REG_ISR = 0x20;
const CMD_RX = 1, CMD_TX = 2, CMD_POLL_RX = 3;
export const VPORT_PRESENT_IN = 1, VPORT_PRESENT_OUT = 2, VPORT_TX_CLOSED = 4;
/** RESULT codes (signed). */
export const VPORT_AGAIN = -1, VPORT_CLOSED = -2;
/** The most ports the driver handles (bits of the interrupt status register). */
const MAX_PORTS = 32;
/** Bytes moved per device command: one bounce page. */
export const VPORT_CHUNK = 4096;

export class VportDriver {
  /** Readers sleeping for data on each port, woken by the port's interrupt. */
  readonly readWait: WaitQueue[] = [];

  private constructor(
    private readonly hw: X86,
    readonly nports: number,
    private readonly bouncePa: number,
  ) {
    for (let i = 0; i < nports; i++) this.readWait.push(new WaitQueue());
  }

  /**
   * Finds the device and takes a bounce page from allocPage (a pinned kernel
   * frame, never freed: the driver lives as long as the kernel). Returns null
   * when there is no device, it has no ports, or no page could be had.
   */
  static probe(hw: X86, allocPage: () => number): VportDriver | null {
    if (hw.inl(VPORT_BASE + REG_ID) !== VPORT_MAGIC) return null;
    const n = Math.min(hw.inl(VPORT_BASE + REG_NPORTS), MAX_PORTS);
    if (n === 0) return null;
    const pfn = allocPage();
    if (pfn < 0) return null;
    return new VportDriver(hw, n, pfn * 4096);
  }

  /** The port's VPORT_PRESENT_* and VPORT_TX_CLOSED bits. */
  status(port: number): number {
    this.hw.outl(VPORT_BASE + REG_SEL, port);
    return this.hw.inl(VPORT_BASE + REG_STATUS);
  }

  /** True when a read of the port would return data or end of file now; when false, the port will interrupt once it would. */
  rxReady(port: number): boolean {
    return this.command(port, CMD_POLL_RX, 0) === 1;
  }

  /**
   * Reads at most VPORT_CHUNK bytes from the host into dst. Result: the count
   * (0 = end of file), VPORT_AGAIN (nothing yet; the port will interrupt), or
   * another negative VPORT code.
   */
  read(port: number, dst: Uint8Array): number {
    const r = this.command(port, CMD_RX, Math.min(dst.length, VPORT_CHUNK));
    if (r > 0) dst.set(this.hw.phys.readBytes(this.bouncePa, r));
    return r;
  }

  /**
   * Sends at most VPORT_CHUNK bytes of src to the host. Result: the count, VPORT_CLOSED
   * (the host's reader is gone), VPORT_AGAIN (the host is full; retry later), or another negative code.
   */
  write(port: number, src: Uint8Array): number {
    const n = Math.min(src.length, VPORT_CHUNK);
    this.hw.phys.writeBytes(this.bouncePa, n === src.length ? src : src.subarray(0, n));
    return this.command(port, CMD_TX, n);
  }

  /** Interrupt handler: wakes the readers of every port that became ready. */
  interrupt(): void {
    const isr = this.hw.inl(VPORT_BASE + REG_ISR);
    for (let n = 0; n < this.nports; n++) if ((isr >>> n) & 1) this.readWait[n].wakeUp();
  }

  private command(port: number, cmd: number, len: number): number {
    const hw = this.hw;
    hw.outl(VPORT_BASE + REG_SEL, port);
    hw.outl(VPORT_BASE + REG_ADDR, this.bouncePa);
    hw.outl(VPORT_BASE + REG_LEN, len);
    hw.outl(VPORT_BASE + REG_CMD, cmd);
    return hw.inl(VPORT_BASE + REG_RESULT) | 0;
  }
}
