// A National Semiconductor 16550A UART (COM1 at 0x3F8, IRQ 4 on a PC).
//
// Registers: RBR/THR, IER, IIR/FCR, LCR (DLAB), MCR, LSR, MSR, SCR and the
// divisor latch. 16-byte receive FIFO with trigger levels 1/4/8/14, interrupt
// identification by priority (line status > received data / character
// timeout > THR empty > modem status), loopback. The interrupt output reaches
// the PIC only while MCR.OUT2 is set and loopback is off, as on a PC.
//
// Timing simplifications (documented): characters are transmitted at once
// (THR and the shift register are empty again immediately), and received
// data below the trigger level is reported as a character timeout at once
// instead of after four character times. Bytes from the host that do not fit
// the FIFO wait in a host-side queue and enter the FIFO as the guest reads,
// so pasted input is never lost to an overrun.

import type { IoPorts } from "../io/ports.ts";

export const COM1_PORT = 0x3f8;
export const COM1_IRQ = 4;

const FIFO_SIZE = 16;
const TRIGGER = [1, 4, 8, 14];

const IER_RDA = 0x01, IER_THRE = 0x02, IER_RLS = 0x04, IER_MSI = 0x08;
const LSR_DR = 0x01, LSR_OE = 0x02, LSR_BI = 0x10, LSR_THRE = 0x20, LSR_TEMT = 0x40;
const MCR_OUT2 = 0x08, MCR_LOOP = 0x10;

export class Uart {
  /** Called with every byte the guest transmits (not in loopback). */
  onTransmit: (byte: number) => void = () => {};

  private readonly rx = new Uint8Array(FIFO_SIZE);
  private rxHead = 0;
  private rxCount = 0;
  /** Host bytes waiting for room in the FIFO: chunks consumed from `hostPos`. */
  private readonly hostQueue: Uint8Array[] = [];
  private hostPos = 0;

  ier = 0;
  lcr = 0x03;
  mcr = 0;
  /** Error bits of LSR (OE, PE, FE, BI); cleared by reading LSR. */
  private lsrErrors = 0;
  private msr = 0;
  scr = 0;
  divisor = 12;
  fifoEnabled = false;
  private triggerLevel = 1;
  /** THR-empty interrupt condition (set when THR empties, cleared by an IIR read reporting it or a THR write). */
  private threPending = false;
  private irqLevel = false;

  /** base: first of the 8 ports; setIrq drives the UART's IRQ line. */
  constructor(
    io: IoPorts,
    readonly base: number,
    private readonly setIrq: (level: boolean) => void,
  ) {
    io.register(base, 8, {
      in8: (port) => this.read(port - base),
      out8: (port, v) => this.write(port - base, v),
    });
    this.reset();
  }

  /** Master reset: registers to their reset values; the host queue is kept. */
  reset(): void {
    this.rxHead = this.rxCount = 0;
    this.ier = 0;
    this.lcr = 0;
    this.mcr = 0;
    this.lsrErrors = 0;
    this.scr = 0;
    this.divisor = 12;
    this.fifoEnabled = false;
    this.triggerLevel = 1;
    this.threPending = false;
    this.msr = this.modemInputs();
    this.refill();
    this.update();
  }

  /** Queues bytes from the host (terminal input). They are never dropped. */
  receive(bytes: Uint8Array | readonly number[]): void {
    if (bytes.length === 0) return;
    this.hostQueue.push(Uint8Array.from(bytes));
    this.refill();
    this.update();
  }

  /** Bytes received from the host that the guest has not read yet (FIFO + queue). */
  get pendingInput(): number {
    let n = this.rxCount - this.hostPos;
    for (const c of this.hostQueue) n += c.length;
    return n;
  }

  private get capacity(): number {
    return this.fifoEnabled ? FIFO_SIZE : 1;
  }

  private refill(): void {
    if (this.mcr & MCR_LOOP) return;
    while (this.hostQueue.length > 0 && this.rxCount < this.capacity) {
      const chunk = this.hostQueue[0];
      this.pushRx(chunk[this.hostPos++]);
      if (this.hostPos >= chunk.length) {
        this.hostQueue.shift();
        this.hostPos = 0;
      }
    }
  }

  private pushRx(b: number): void {
    if (this.rxCount >= this.capacity) {
      this.lsrErrors |= LSR_OE;
      return;
    }
    this.rx[(this.rxHead + this.rxCount) % FIFO_SIZE] = b;
    this.rxCount++;
  }

  private modemInputs(): number {
    if (this.mcr & MCR_LOOP) {
      const m = this.mcr;
      // CTS=RTS, DSR=DTR, RI=OUT1, DCD=OUT2
      return ((m & 0x02) << 3) | ((m & 0x01) << 5) | ((m & 0x04) << 4) | ((m & 0x08) << 4);
    }
    return 0xb0; // CTS, DSR, DCD: a host is attached
  }

  private setModemInputs(): void {
    const now = this.modemInputs();
    const old = this.msr & 0xf0;
    let delta = this.msr & 0x0f;
    if ((now ^ old) & 0x10) delta |= 0x01;
    if ((now ^ old) & 0x20) delta |= 0x02;
    if (old & 0x40 && !(now & 0x40)) delta |= 0x04; // trailing edge of RI
    if ((now ^ old) & 0x80) delta |= 0x08;
    this.msr = now | delta;
  }

  private lsr(): number {
    return (this.rxCount > 0 ? LSR_DR : 0) | this.lsrErrors | LSR_THRE | LSR_TEMT | (this.lsrErrors & 0x1e && this.fifoEnabled ? 0x80 : 0);
  }

  /** The IIR value: the highest-priority pending interrupt. */
  private iir(): number {
    const fifoBits = this.fifoEnabled ? 0xc0 : 0;
    if (this.ier & IER_RLS && this.lsrErrors & (LSR_OE | 0x0c | LSR_BI)) return fifoBits | 0x06;
    if (this.ier & IER_RDA && this.rxCount > 0) {
      if (this.rxCount >= this.triggerLevel || !this.fifoEnabled) return fifoBits | 0x04;
      return fifoBits | 0x0c; // character timeout
    }
    if (this.ier & IER_THRE && this.threPending) return fifoBits | 0x02;
    if (this.ier & IER_MSI && this.msr & 0x0f) return fifoBits | 0x00;
    return fifoBits | 0x01;
  }

  private update(): void {
    const pending = (this.iir() & 1) === 0;
    const level = pending && (this.mcr & MCR_OUT2) !== 0 && (this.mcr & MCR_LOOP) === 0;
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.setIrq(level);
    }
  }

  private read(reg: number): number {
    let v: number;
    switch (reg) {
      case 0:
        if (this.lcr & 0x80) return this.divisor & 0xff;
        v = 0;
        if (this.rxCount > 0) {
          v = this.rx[this.rxHead];
          this.rxHead = (this.rxHead + 1) % FIFO_SIZE;
          this.rxCount--;
          this.refill();
        }
        break;
      case 1:
        return this.lcr & 0x80 ? this.divisor >>> 8 : this.ier;
      case 2:
        v = this.iir();
        if ((v & 0x0f) === 0x02) this.threPending = false;
        break;
      case 3:
        return this.lcr;
      case 4:
        return this.mcr;
      case 5:
        v = this.lsr();
        this.lsrErrors = 0;
        break;
      case 6:
        v = this.msr;
        this.msr &= 0xf0;
        break;
      default:
        return this.scr;
    }
    this.update();
    return v;
  }

  private write(reg: number, v: number): void {
    switch (reg) {
      case 0:
        if (this.lcr & 0x80) {
          this.divisor = (this.divisor & 0xff00) | v;
          return;
        }
        if (this.mcr & MCR_LOOP) this.pushRx(v);
        else this.onTransmit(v);
        // sent at once: THR is empty again
        this.threPending = true;
        break;
      case 1:
        if (this.lcr & 0x80) {
          this.divisor = (this.divisor & 0xff) | (v << 8);
          return;
        }
        // enabling the THRE interrupt while THR is empty raises it (16550A behaviour)
        if (v & IER_THRE && !(this.ier & IER_THRE)) this.threPending = true;
        this.ier = v & 0x0f;
        break;
      case 2: {
        const enable = (v & 0x01) !== 0;
        if (enable !== this.fifoEnabled || v & 0x02) {
          this.rxHead = this.rxCount = 0;
        }
        this.fifoEnabled = enable;
        this.triggerLevel = TRIGGER[v >>> 6];
        this.refill();
        break;
      }
      case 3:
        this.lcr = v;
        return;
      case 4: {
        const wasLoop = (this.mcr & MCR_LOOP) !== 0;
        this.mcr = v & 0x1f;
        this.setModemInputs();
        if (wasLoop && !(this.mcr & MCR_LOOP)) this.refill();
        break;
      }
      case 5:
      case 6:
        return; // LSR and MSR are read-only here (factory test writes are ignored)
      default:
        this.scr = v;
        return;
    }
    this.update();
  }
}
