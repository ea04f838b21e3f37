// The MC146818-compatible CMOS real-time clock and its RAM at 0x70/0x71
// (index port bit 7 = NMI disable), IRQ 8.
//
// The date is the machine's start time (UTC seconds since 1970, given by the
// machine: host time at boot, or a fixed epoch for deterministic runs) plus
// guest time from the Clock; nothing here reads the host clock. Time and alarm
// registers follow register B: BCD or binary, 12- or 24-hour. Register A's UIP
// bit is set during the last 244 us of every second; SET in register B stops
// the clock while the guest writes a new time. Periodic, alarm and
// update-ended interrupts set register C's flags and IRQ 8 through Clock
// events (scheduled only while enabled); reading C clears them.

import { CPU_HZ, type Clock } from "../machine/clock.ts";
import type { IoPorts } from "../io/ports.ts";

export const RTC_IRQ = 8;

const REG_A = 0x0a, REG_B = 0x0b, REG_C = 0x0c, REG_D = 0x0d;
const B_SET = 0x80, B_PIE = 0x40, B_AIE = 0x20, B_UIE = 0x10, B_BINARY = 0x04, B_24H = 0x02;
const C_IRQF = 0x80, C_PF = 0x40, C_AF = 0x20, C_UF = 0x10;
/** UIP lasts 244 us before each update. */
const UIP_CYCLES = Math.round((244e-6) * CPU_HZ);

/** Broken-down UTC time as the RTC registers hold it. */
interface Fields {
  sec: number; min: number; hour: number; wday: number; mday: number; mon: number; year: number;
}

function toFields(unixSeconds: number): Fields {
  const d = new Date(unixSeconds * 1000);
  return {
    sec: d.getUTCSeconds(), min: d.getUTCMinutes(), hour: d.getUTCHours(), wday: d.getUTCDay() + 1,
    mday: d.getUTCDate(), mon: d.getUTCMonth() + 1, year: d.getUTCFullYear(),
  };
}

function fromFields(f: Fields): number {
  return Math.floor(Date.UTC(f.year, f.mon - 1, f.mday, f.hour, f.min, f.sec) / 1000);
}

export class Rtc {
  /** The 128 bytes of CMOS; time registers are computed on read. */
  readonly cmos = new Uint8Array(128);
  index = 0;
  nmiDisabled = true;
  /** Unix seconds at guest cycle `baseCycle`. */
  private baseSeconds = 0;
  private baseCycle = 0;
  /** While SET is on: the time registers as the guest writes them. */
  private held: Fields | null = null;
  private periodicEvent: object | null = null;
  private secondEvent: object | null = null;
  /** Cycle up to which register C's flags have been brought up to date when polled. */
  private polledCycle = 0;
  private irqLevel = false;

  /** startSeconds: unix time at guest cycle 0; memorySize: RAM bytes (for the BIOS memory bytes). */
  constructor(
    io: IoPorts,
    private readonly clock: Clock,
    private readonly setIrq: (level: boolean) => void,
    startSeconds: number,
    memorySize: number,
  ) {
    io.register(0x70, 2, {
      in8: (port) => (port === 0x70 ? 0xff : this.readData()),
      out8: (port, v) => {
        if (port === 0x70) {
          this.index = v & 0x7f;
          this.nmiDisabled = (v & 0x80) !== 0;
        } else this.writeData(v);
      },
    });
    this.baseSeconds = Math.floor(startSeconds);
    this.baseCycle = clock.cycles;
    this.setMemorySize(memorySize);
    this.reset();
  }

  /** Unix seconds now (guest time). */
  seconds(): number {
    if (this.held) return fromFields(this.held);
    return this.baseSeconds + Math.floor((this.clock.cycles - this.baseCycle) / CPU_HZ);
  }

  /** Cycle position inside the current second, 0..CPU_HZ-1. */
  private phase(): number {
    const d = this.clock.cycles - this.baseCycle;
    return d - Math.floor(d / CPU_HZ) * CPU_HZ;
  }

  /**
   * Keeps the current date across a Clock reset: call before the clock's
   * cycle counter goes back to 0, then `reset()` after.
   */
  rebaseForClockReset(): void {
    this.baseSeconds = this.seconds();
    this.baseCycle = -this.phase();
    this.held = null;
  }

  /** Status registers to their power-on values and interrupts off; the date keeps running. */
  reset(): void {
    this.cancelEvents();
    this.cmos[REG_A] = 0x26; // 32.768 kHz time base, 1024 Hz periodic rate
    this.cmos[REG_B] = B_24H;
    this.cmos[REG_C] = 0;
    this.cmos[REG_D] = 0x80; // valid RAM and time
    this.held = null;
    this.polledCycle = this.clock.cycles;
    this.updateIrq();
  }

  /** Fills the BIOS memory-size bytes: base 0x15-0x16, extended 0x17-0x18 and 0x30-0x31, above 16 MiB 0x34-0x35. */
  setMemorySize(bytes: number): void {
    const c = this.cmos;
    const put16 = (i: number, v: number) => {
      c[i] = v & 0xff;
      c[i + 1] = (v >>> 8) & 0xff;
    };
    put16(0x15, 640);
    const extKb = Math.min(0xffff, Math.max(0, (bytes - 0x100000) / 1024));
    put16(0x17, extKb);
    put16(0x30, extKb);
    const above16 = Math.min(0xffff, Math.max(0, Math.floor((bytes - 0x1000000) / 0x10000)));
    put16(0x34, above16);
    c[0x10] = 0; // no floppy drives
    c[0x12] = 0; // no hard disks
    c[0x14] = 0x20; // equipment: 80x25 colour display, no FPU, no floppy
    let sum = 0;
    for (let i = 0x10; i <= 0x2d; i++) sum += c[i];
    c[0x2e] = (sum >>> 8) & 0xff;
    c[0x2f] = sum & 0xff;
  }

  private get binary(): boolean {
    return (this.cmos[REG_B] & B_BINARY) !== 0;
  }

  private encode(v: number): number {
    return this.binary ? v : ((Math.floor(v / 10) % 10) << 4) | (v % 10);
  }

  private decode(v: number): number {
    return this.binary ? v : (v >>> 4) * 10 + (v & 0x0f);
  }

  private encodeHour(h: number): number {
    if (this.cmos[REG_B] & B_24H) return this.encode(h);
    const pm = h >= 12 ? 0x80 : 0;
    const h12 = h % 12 === 0 ? 12 : h % 12;
    return this.encode(h12) | pm;
  }

  private decodeHour(v: number): number {
    if (this.cmos[REG_B] & B_24H) return this.decode(v);
    const h12 = this.decode(v & 0x7f) % 12;
    return v & 0x80 ? h12 + 12 : h12;
  }

  private fieldsNow(): Fields {
    return this.held ? { ...this.held } : toFields(this.seconds());
  }

  private readTime(reg: number): number {
    const f = this.fieldsNow();
    switch (reg) {
      case 0x00: return this.encode(f.sec);
      case 0x02: return this.encode(f.min);
      case 0x04: return this.encodeHour(f.hour);
      case 0x06: return this.encode(f.wday);
      case 0x07: return this.encode(f.mday);
      case 0x08: return this.encode(f.mon);
      case 0x09: return this.encode(f.year % 100);
      default: return this.encode(Math.floor(f.year / 100)); // 0x32 century
    }
  }

  private writeTime(reg: number, v: number): void {
    const f = this.fieldsNow();
    switch (reg) {
      case 0x00: f.sec = this.decode(v); break;
      case 0x02: f.min = this.decode(v); break;
      case 0x04: f.hour = this.decodeHour(v); break;
      case 0x06: f.wday = this.decode(v); return; // derived from the date here
      case 0x07: f.mday = this.decode(v); break;
      case 0x08: f.mon = this.decode(v); break;
      case 0x09: f.year = Math.floor(f.year / 100) * 100 + this.decode(v); break;
      default: f.year = this.decode(v) * 100 + (f.year % 100); break;
    }
    if (this.held) this.held = f;
    else this.setSeconds(fromFields(f));
  }

  private setSeconds(s: number): void {
    this.baseSeconds = s;
    this.baseCycle = this.clock.cycles;
    this.rescheduleSecond();
    this.reschedulePeriodic();
  }

  private readData(): number {
    const i = this.index;
    switch (i) {
      case 0x00: case 0x02: case 0x04: case 0x06: case 0x07: case 0x08: case 0x09: case 0x32:
        return this.readTime(i);
      case REG_A: {
        const uip = !this.held && this.phase() >= CPU_HZ - UIP_CYCLES ? 0x80 : 0;
        return (this.cmos[REG_A] & 0x7f) | uip;
      }
      case REG_C: {
        this.pollFlags();
        const v = this.cmos[REG_C];
        this.cmos[REG_C] = 0;
        this.updateIrq();
        return v;
      }
      default:
        return this.cmos[i];
    }
  }

  private writeData(v: number): void {
    const i = this.index;
    switch (i) {
      case 0x00: case 0x02: case 0x04: case 0x06: case 0x07: case 0x08: case 0x09: case 0x32:
        this.writeTime(i, v);
        return;
      case REG_A:
        this.cmos[REG_A] = v & 0x7f;
        this.reschedulePeriodic();
        return;
      case REG_B: {
        const old = this.cmos[REG_B];
        if (v & B_SET && !(old & B_SET)) this.held = toFields(this.seconds());
        this.cmos[REG_B] = v;
        if (!(v & B_SET) && old & B_SET && this.held) {
          const s = fromFields(this.held);
          this.held = null;
          this.setSeconds(s);
        }
        this.rescheduleSecond();
        this.reschedulePeriodic();
        this.updateIrq();
        return;
      }
      case REG_C:
      case REG_D:
        return; // read-only
      default:
        this.cmos[i] = v;
    }
  }

  /** Periodic interrupt period in cycles, or 0 when the rate select is 0. */
  private periodCycles(): number {
    let rs = this.cmos[REG_A] & 0x0f;
    if (rs === 0) return 0;
    if (rs <= 2) rs += 7;
    const hz = 32768 >> (rs - 1);
    return CPU_HZ / hz;
  }

  /** Sets PF/UF for periods and seconds elapsed since the last poll (flags are set even with interrupts off). */
  private pollFlags(): void {
    const now = this.clock.cycles;
    const p = this.periodCycles();
    if (p > 0 && Math.floor(now / p) > Math.floor(this.polledCycle / p)) this.cmos[REG_C] |= C_PF;
    const a = Math.floor((this.polledCycle - this.baseCycle) / CPU_HZ);
    const b = Math.floor((now - this.baseCycle) / CPU_HZ);
    if (!this.held && b > a) this.cmos[REG_C] |= C_UF;
    this.polledCycle = now;
  }

  private updateIrq(): void {
    const b = this.cmos[REG_B];
    const c = this.cmos[REG_C];
    const fire = ((c & C_PF) && (b & B_PIE)) || ((c & C_AF) && (b & B_AIE)) || ((c & C_UF) && (b & B_UIE));
    if (fire) this.cmos[REG_C] |= C_IRQF;
    const level = !!fire;
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.setIrq(level);
    }
  }

  private cancelEvents(): void {
    if (this.periodicEvent) this.clock.cancel(this.periodicEvent);
    if (this.secondEvent) this.clock.cancel(this.secondEvent);
    this.periodicEvent = this.secondEvent = null;
  }

  private reschedulePeriodic(): void {
    if (this.periodicEvent) this.clock.cancel(this.periodicEvent);
    this.periodicEvent = null;
    const p = this.periodCycles();
    if (p === 0 || !(this.cmos[REG_B] & B_PIE)) return;
    const due = (Math.floor(this.clock.cycles / p) + 1) * p;
    this.periodicEvent = this.clock.schedule(Math.ceil(due), this.onPeriodic);
  }

  private rescheduleSecond(): void {
    if (this.secondEvent) this.clock.cancel(this.secondEvent);
    this.secondEvent = null;
    if (this.held || !(this.cmos[REG_B] & (B_UIE | B_AIE))) return;
    const due = this.clock.cycles - this.phase() + CPU_HZ;
    this.secondEvent = this.clock.schedule(due, this.onSecond);
  }

  private readonly onPeriodic = (): void => {
    this.periodicEvent = null;
    this.cmos[REG_C] |= C_PF;
    this.polledCycle = this.clock.cycles;
    this.updateIrq();
    this.reschedulePeriodic();
  };

  private readonly onSecond = (): void => {
    this.secondEvent = null;
    this.cmos[REG_C] |= C_UF;
    if (this.alarmMatches()) this.cmos[REG_C] |= C_AF;
    this.updateIrq();
    this.rescheduleSecond();
  };

  private alarmMatches(): boolean {
    const c = this.cmos;
    const match = (alarmReg: number, timeReg: number) => (c[alarmReg] & 0xc0) === 0xc0 || c[alarmReg] === this.readTime(timeReg);
    return match(0x01, 0x00) && match(0x03, 0x02) && match(0x05, 0x04);
  }
}
