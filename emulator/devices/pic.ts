// The PC's interrupt controller: two Intel 8259A chips, the master at
// 0x20/0x21 and the slave at 0xA0/0xA1 cascaded on the master's IR2.
//
// Each chip implements the initialisation sequence (ICW1..ICW4), the mask
// (OCW1), end-of-interrupt and priority rotation (OCW2), the IRR/ISR read
// select, poll mode and special mask mode (OCW3), edge- or level-triggered
// inputs, automatic EOI and fully nested priority resolution. The cascade line
// from the slave is seen by the master as a level. An acknowledge with no
// request left gives the chip's IR7 vector without setting ISR (the spurious
// IRQ 7 / IRQ 15 a real 8259A produces). Special fully nested mode and
// buffered mode (ICW4 bits 2-4) are accepted but not emulated; there is no ELCR.

import type { InterruptSource } from "../cpu/cpu.ts";
import type { IoPorts } from "../io/ports.ts";

/** One 8259A. */
export class Pic8259 {
  irr = 0;
  isr = 0;
  imr = 0xff;
  /** Vector of IR0 (ICW2 & 0xf8). */
  vectorBase = 0;
  /** Level of every input line as the devices drive it. */
  lines = 0;
  /** Inputs whose low-to-high edge has been seen (edge mode). */
  private edgeSeen = 0;
  /** IR number of the lowest priority (rotations move it). */
  lowestPriority = 7;
  levelTriggered = false;
  autoEoi = false;
  rotateOnAutoEoi = false;
  specialMask = false;
  readIsr = false;
  poll = false;
  single = false;
  /** ICW3: slave lines (master) or cascade identity (slave). */
  icw3 = 0;
  /** Next ICW expected on the data port: 0 none (operating), 2, 3, 4. */
  private initStep = 0;
  private needIcw4 = false;

  /** The extra request input the master sees from the slave (cascade), as a level. */
  cascadeInput = 0;

  constructor(readonly isMaster: boolean) {}

  /** Power-on state: uninitialised, everything masked. */
  reset(): void {
    this.irr = this.isr = 0;
    this.imr = 0xff;
    this.vectorBase = 0;
    this.edgeSeen = this.lines;
    this.lowestPriority = 7;
    this.levelTriggered = this.autoEoi = this.rotateOnAutoEoi = false;
    this.specialMask = this.readIsr = this.poll = this.single = false;
    this.icw3 = 0;
    this.initStep = 0;
    this.needIcw4 = false;
    this.cascadeInput = 0;
  }

  /** Drives input line `n` (0..7) to `level`. */
  setLine(n: number, level: boolean): void {
    const bit = 1 << n;
    if (level) {
      this.lines |= bit;
      if (this.levelTriggered) this.irr |= bit;
      else if ((this.edgeSeen & bit) === 0) {
        this.edgeSeen |= bit;
        this.irr |= bit;
      }
    } else {
      this.lines &= ~bit;
      this.edgeSeen &= ~bit;
      if (this.levelTriggered) this.irr &= ~bit;
    }
  }

  /** Requests as the priority logic sees them (the slave's cascade output included). */
  private requests(): number {
    return (this.irr | this.cascadeInput) & ~this.imr & 0xff;
  }

  /** Highest-priority IR among `bits` under the current rotation, or -1. */
  private highest(bits: number): number {
    if (bits === 0) return -1;
    for (let i = 1; i <= 8; i++) {
      const ir = (this.lowestPriority + i) & 7;
      if (bits & (1 << ir)) return ir;
    }
    return -1;
  }

  /** Priority rank of IR `ir` (0 = highest). */
  private rank(ir: number): number {
    return (ir - this.lowestPriority - 1) & 7;
  }

  /** The IR that would be delivered now, or -1. */
  pending(): number {
    const req = this.highest(this.requests());
    if (req < 0) return -1;
    const inService = this.specialMask ? this.isr & ~this.imr : this.isr;
    const cur = this.highest(inService);
    if (cur >= 0 && this.rank(cur) <= this.rank(req)) return -1;
    return req;
  }

  /** INTA for IR `ir`: moves it into service (or completes it at once with AEOI). */
  acknowledgeIr(ir: number): void {
    const bit = 1 << ir;
    if (!this.levelTriggered) this.irr &= ~bit;
    if (this.autoEoi) {
      if (this.rotateOnAutoEoi) this.lowestPriority = ir;
    } else this.isr |= bit;
  }

  readCommand(): number {
    if (this.poll) {
      this.poll = false;
      const ir = this.pending();
      if (ir < 0) return 0;
      this.acknowledgeIr(ir);
      return 0x80 | ir;
    }
    return this.readIsr ? this.isr : this.irr | this.cascadeInput;
  }

  readData(): number {
    return this.imr;
  }

  writeCommand(v: number): void {
    if (v & 0x10) {
      // ICW1
      this.needIcw4 = (v & 0x01) !== 0;
      this.single = (v & 0x02) !== 0;
      this.levelTriggered = (v & 0x08) !== 0;
      this.imr = 0;
      this.isr = 0;
      this.irr = this.levelTriggered ? this.lines : 0;
      this.edgeSeen = this.lines;
      this.lowestPriority = 7;
      this.specialMask = false;
      this.readIsr = false;
      this.poll = false;
      this.autoEoi = false;
      this.rotateOnAutoEoi = false;
      this.initStep = 2;
    } else if (v & 0x08) {
      // OCW3
      if (v & 0x04) this.poll = true;
      if (v & 0x02) this.readIsr = (v & 0x01) !== 0;
      if (v & 0x40) this.specialMask = (v & 0x20) !== 0;
    } else {
      // OCW2
      const op = v >>> 5;
      const level = v & 7;
      switch (op) {
        case 0: // rotate in AEOI mode: clear
          this.rotateOnAutoEoi = false;
          break;
        case 4: // rotate in AEOI mode: set
          this.rotateOnAutoEoi = true;
          break;
        case 1: // non-specific EOI
        case 5: {
          // non-specific EOI with rotation
          const ir = this.highest(this.isr);
          if (ir >= 0) {
            this.isr &= ~(1 << ir);
            if (op === 5) this.lowestPriority = ir;
          }
          break;
        }
        case 3: // specific EOI
          this.isr &= ~(1 << level);
          break;
        case 7: // specific EOI with rotation
          this.isr &= ~(1 << level);
          this.lowestPriority = level;
          break;
        case 6: // set priority
          this.lowestPriority = level;
          break;
        default: // 2: no operation
          break;
      }
    }
  }

  writeData(v: number): void {
    switch (this.initStep) {
      case 2:
        this.vectorBase = v & 0xf8;
        this.initStep = this.single ? (this.needIcw4 ? 4 : 0) : 3;
        break;
      case 3:
        this.icw3 = v;
        this.initStep = this.needIcw4 ? 4 : 0;
        break;
      case 4:
        this.autoEoi = (v & 0x02) !== 0;
        this.initStep = 0;
        break;
      default:
        this.imr = v;
    }
  }

  /** True while the chip is between ICW1 and its last ICW. */
  get initialising(): boolean {
    return this.initStep !== 0;
  }
}

/** The master/slave pair as the CPU and the devices see it. */
export class Pic implements InterruptSource {
  readonly master = new Pic8259(true);
  readonly slave = new Pic8259(false);
  /** Cached INTR output: true when the CPU should take an interrupt. */
  private intr = false;

  constructor(io: IoPorts) {
    const handler = (chip: Pic8259) => ({
      in8: (port: number) => ((port & 1) === 0 ? this.readCommandOf(chip) : chip.readData()),
      out8: (port: number, v: number) => {
        if ((port & 1) === 0) chip.writeCommand(v);
        else chip.writeData(v);
        this.update();
      },
    });
    io.register(0x20, 2, handler(this.master));
    io.register(0xa0, 2, handler(this.slave));
    this.reset();
  }

  private readCommandOf(chip: Pic8259): number {
    const v = chip.readCommand();
    this.update();
    return v;
  }

  /** Power-on state of both chips. */
  reset(): void {
    this.master.reset();
    this.slave.reset();
    this.update();
  }

  /**
   * The state a PC BIOS leaves behind (used when booting a kernel directly):
   * master vectors 0x08-0x0f, slave 0x70-0x77, cascade on IR2, edge triggered,
   * every line masked except the cascade.
   */
  biosInit(): void {
    this.program(this.master, 0x08, 0x04, 0xfb);
    this.program(this.slave, 0x70, 0x02, 0xff);
    this.update();
  }

  private program(chip: Pic8259, base: number, icw3: number, mask: number): void {
    chip.writeCommand(0x11);
    chip.writeData(base);
    chip.writeData(icw3);
    chip.writeData(0x01);
    chip.writeData(mask);
  }

  /** Raises IRQ `n` (0..15). */
  raiseIrq(n: number): void {
    this.setIrq(n, true);
  }

  /** Lowers IRQ `n` (0..15). */
  lowerIrq(n: number): void {
    this.setIrq(n, false);
  }

  /** Drives IRQ `n` (0..15) to `level`; edge-triggered inputs latch a low-to-high change. */
  setIrq(n: number, level: boolean): void {
    if (n < 8) this.master.setLine(n, level);
    else this.slave.setLine(n - 8, level);
    this.update();
  }

  private update(): void {
    this.master.cascadeInput = this.slave.pending() >= 0 ? 1 << 2 : 0;
    this.intr = this.master.pending() >= 0;
  }

  hasInterrupt(): boolean {
    return this.intr;
  }

  acknowledge(): number {
    const m = this.master.pending();
    let vector: number;
    if (m < 0) {
      vector = this.master.vectorBase | 7; // spurious IRQ 7
    } else {
      this.master.acknowledgeIr(m);
      vector = this.master.vectorBase | m;
      if (m === 2 && !this.master.single) {
        const s = this.slave.pending();
        if (s < 0) vector = this.slave.vectorBase | 7; // spurious IRQ 15
        else {
          this.slave.acknowledgeIr(s);
          vector = this.slave.vectorBase | s;
        }
      }
    }
    this.update();
    return vector;
  }
}
