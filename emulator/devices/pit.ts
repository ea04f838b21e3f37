// The Intel 8254 programmable interval timer at ports 0x40-0x43, plus the
// system control port B at 0x61 (channel 2 gate, speaker enable, refresh
// toggle, channel 2 output).
//
// Counters are not stepped: each channel remembers the PIT tick at which it
// started counting and computes its value and output from the current tick,
// which comes from the guest cycle count (1.193182 MHz from CPU_HZ, exact
// integer arithmetic). Channel 0's output drives IRQ 0 through events
// scheduled on the Clock at the cycle of each rising edge.
//
// Modes 0-5 and BCD counting are implemented; a count written in modes 2/3
// while the channel runs takes effect at the end of the current period.
// Simplifications: the output changes at tick N, not N+1 after the load
// cycle; the illegal count 1 in modes 2 and 3 counts as 2.

import { CPU_HZ, type Clock } from "../machine/clock.ts";
import type { IoPorts } from "../io/ports.ts";

export const PIT_HZ = 1_193_182;

/** PIT ticks elapsed at guest cycle `c` (exact for any c below 2^53). */
export function cyclesToTicks(c: number): number {
  const q = Math.floor(c / CPU_HZ);
  return q * PIT_HZ + Math.floor(((c - q * CPU_HZ) * PIT_HZ) / CPU_HZ);
}

/** The first guest cycle at which tick `t` has elapsed. */
export function ticksToCycles(t: number): number {
  const q = Math.floor(t / PIT_HZ);
  return q * CPU_HZ + Math.ceil(((t - q * PIT_HZ) * CPU_HZ) / PIT_HZ);
}

function toBcd(v: number): number {
  return (v % 10) | ((Math.floor(v / 10) % 10) << 4) | ((Math.floor(v / 100) % 10) << 8) | ((Math.floor(v / 1000) % 10) << 12);
}

function fromBcd(v: number): number {
  return (v & 0xf) + ((v >>> 4) & 0xf) * 10 + ((v >>> 8) & 0xf) * 100 + ((v >>> 12) & 0xf) * 1000;
}

export class Channel {
  mode = 3;
  access = 3;
  bcd = false;
  /** Count N in ticks (a written 0 means 65536). */
  reload = 0x10000;
  /** Tick at which counting with `reload` started (or resumes from, see frozen). */
  startTick = 0;
  /** A full count has been written and counting runs (or waits for a gate trigger in modes 1/5). */
  armed = false;
  /** Modes 1/5: a gate rising edge has started the count. */
  triggered = false;
  gate = true;
  /** Modes 0/4 with gate low: the counter value held while paused, else -1. */
  frozen = -1;
  nullCount = true;
  /** Modes 2/3: a count written while running, loaded at the end of the current period (switchTick); -1 if none. */
  pendingReload = -1;
  switchTick = 0;
  /** Byte order toggles for access mode 3. */
  writeHigh = false;
  readHigh = false;
  lowByte = 0;
  latched = -1;
  latchedHigh = false;
  status = -1;

  constructor(gate: boolean) {
    this.gate = gate;
  }

  controlBits(): number {
    return (this.access << 4) | (this.mode << 1) | (this.bcd ? 1 : 0);
  }

  /** The effective operating mode (6 and 7 alias 2 and 3). */
  get m(): number {
    return this.mode > 5 ? this.mode - 4 : this.mode;
  }

  /** Counts per wrap-around: 65536 in binary, 10000 in BCD. */
  get modulus(): number {
    return this.bcd ? 10000 : 0x10000;
  }

  /** Counter value at tick `t` as the guest reads it (BCD digits in BCD mode). */
  value(t: number): number {
    const v = this.count(t);
    return this.bcd ? toBcd(v) : v;
  }

  /** Loads a pending count once its period boundary has passed. */
  sync(t: number): void {
    if (this.pendingReload >= 0 && t >= this.switchTick) {
      this.startTick = this.switchTick;
      this.reload = this.pendingReload;
      this.pendingReload = -1;
      this.nullCount = false;
    }
  }

  /** Counter value at tick `t` as a binary number. */
  count(t: number): number {
    this.sync(t);
    const mod = this.modulus;
    if (!this.armed) return this.reload % mod;
    if (this.frozen >= 0) return this.frozen;
    const n = this.reload;
    const m = this.m;
    if ((m === 1 || m === 5) && !this.triggered) return n % mod;
    if ((m === 2 || m === 3) && !this.gate) return n % mod;
    const e = t - this.startTick;
    if (m === 2) return (n - (e % n)) % mod;
    if (m === 3) {
      const p = e % n;
      const high = Math.ceil(n / 2);
      const k = p < high ? p : p - high;
      return Math.max(2, (n & ~1) - 2 * k) % mod;
    }
    return (((n - e) % mod) + mod) % mod;
  }

  /** Output level at tick `t`. */
  out(t: number): boolean {
    this.sync(t);
    const m = this.m;
    if (!this.armed) return m !== 0;
    const e = t - this.startTick;
    const n = this.reload;
    switch (m) {
      case 0:
        return this.frozen < 0 && e >= n;
      case 1:
        return !this.triggered || e >= n;
      case 2:
        return !this.gate || e % n !== n - 1;
      case 3:
        return !this.gate || e % n < Math.ceil(n / 2);
      case 4:
        return this.frozen >= 0 || e !== n;
      default:
        return !this.triggered || e !== n;
    }
  }

  /** The first tick after `t` at which the output rises, or -1 if it never will by itself. */
  nextRise(t: number): number {
    this.sync(t);
    if (!this.armed || this.frozen >= 0) return -1;
    const m = this.m;
    const n = this.reload;
    const e = t - this.startTick;
    switch (m) {
      case 0:
      case 1:
        if (m === 1 && !this.triggered) return -1;
        return e < n ? this.startTick + n : -1;
      case 2:
      case 3:
        if (!this.gate) return -1;
        return this.startTick + (Math.floor(e / n) + 1) * n;
      default:
        if (m === 5 && !this.triggered) return -1;
        return e < n + 1 ? this.startTick + n + 1 : -1;
    }
  }
}

export class Pit {
  readonly channels = [new Channel(true), new Channel(true), new Channel(false)];
  /** Port 0x61 bits 0-3 as last written. */
  private portB = 0;
  private event: object | null = null;
  private irqLevel = false;

  /** setIrq0 drives IRQ 0 (the PIC). */
  constructor(
    io: IoPorts,
    private readonly clock: Clock,
    private readonly setIrq0: (level: boolean) => void,
  ) {
    io.register(0x40, 4, {
      in8: (port) => this.readPort(port & 3),
      out8: (port, v) => this.writePort(port & 3, v),
    });
    io.register(0x61, 1, {
      in8: () => this.readPortB(),
      out8: (_p, v) => this.writePortB(v),
    });
    this.reset();
  }

  /** Current PIT tick. */
  now(): number {
    return cyclesToTicks(this.clock.cycles);
  }

  /** Power-on state as a PC BIOS leaves it: every channel in mode 3 with count 65536, channel 0 running. */
  reset(): void {
    if (this.event) this.clock.cancel(this.event);
    this.event = null;
    const t = this.now();
    for (let i = 0; i < 3; i++) {
      const c = new Channel(i !== 2);
      c.armed = true;
      c.nullCount = false;
      c.startTick = t;
      this.channels[i] = c;
    }
    this.portB = 0;
    this.irqLevel = false;
    this.setIrq0(false);
    this.irqLevel = true;
    this.setIrq0(true);
    this.reschedule();
  }

  private readPort(p: number): number {
    if (p === 3) return 0xff;
    const c = this.channels[p];
    if (c.status >= 0) {
      const s = c.status;
      c.status = -1;
      return s;
    }
    if (c.latched >= 0) {
      let v: number;
      if (c.access === 3) {
        v = c.latchedHigh ? c.latched >>> 8 : c.latched & 0xff;
        if (c.latchedHigh) c.latched = -1;
        c.latchedHigh = !c.latchedHigh;
      } else {
        v = c.access === 2 ? c.latched >>> 8 : c.latched & 0xff;
        c.latched = -1;
      }
      return v;
    }
    const value = c.value(this.now());
    if (c.access === 1) return value & 0xff;
    if (c.access === 2) return value >>> 8;
    const v = c.readHigh ? value >>> 8 : value & 0xff;
    c.readHigh = !c.readHigh;
    return v;
  }

  private writePort(p: number, v: number): void {
    if (p === 3) return this.writeControl(v);
    const c = this.channels[p];
    let count: number;
    if (c.access === 1) count = v;
    else if (c.access === 2) count = v << 8;
    else if (!c.writeHigh) {
      c.lowByte = v;
      c.writeHigh = true;
      if (c.m === 0) {
        // mode 0: writing the first byte stops the count
        c.frozen = c.count(this.now());
        if (p === 0) this.updateIrq();
      }
      return;
    } else {
      count = c.lowByte | (v << 8);
      c.writeHigh = false;
    }
    this.load(p, count);
  }

  private load(p: number, count: number): void {
    const c = this.channels[p];
    let n = c.bcd ? fromBcd(count) : count;
    if (n === 0) n = c.modulus;
    if ((c.m === 2 || c.m === 3) && n === 1) n = 2; // count 1 is illegal in modes 2 and 3
    if ((c.m === 2 || c.m === 3) && c.armed && c.gate) {
      // a running rate generator / square wave takes the new count at the end of the period
      const t = this.now();
      c.sync(t);
      c.pendingReload = n;
      c.switchTick = c.startTick + (Math.floor((t - c.startTick) / c.reload) + 1) * c.reload;
      c.nullCount = true;
      return;
    }
    c.reload = n;
    c.nullCount = false;
    c.armed = true;
    c.frozen = -1;
    c.startTick = this.now();
    const m = c.m;
    if (m === 1 || m === 5) c.triggered = false;
    if ((m === 0 || m === 4) && !c.gate) c.frozen = c.reload % c.modulus;
    if (p === 0) {
      this.updateIrq();
      this.reschedule();
    }
  }

  private writeControl(v: number): void {
    const sel = v >>> 6;
    if (sel === 3) {
      // read-back command
      const t = this.now();
      for (let i = 0; i < 3; i++) {
        if ((v & (2 << i)) === 0) continue;
        const c = this.channels[i];
        if ((v & 0x20) === 0 && c.latched < 0) {
          c.latched = c.value(t);
          c.latchedHigh = false;
        }
        if ((v & 0x10) === 0 && c.status < 0) {
          c.status = (c.out(t) ? 0x80 : 0) | (c.nullCount ? 0x40 : 0) | c.controlBits();
        }
      }
      return;
    }
    const c = this.channels[sel];
    const access = (v >>> 4) & 3;
    if (access === 0) {
      // counter latch command
      if (c.latched < 0) {
        c.latched = c.value(this.now());
        c.latchedHigh = false;
      }
      return;
    }
    c.access = access;
    c.mode = (v >>> 1) & 7;
    c.bcd = (v & 1) !== 0;
    c.armed = false;
    c.triggered = false;
    c.frozen = -1;
    c.nullCount = true;
    c.pendingReload = -1;
    c.writeHigh = c.readHigh = false;
    c.latched = -1;
    c.status = -1;
    if (sel === 0) {
      this.updateIrq();
      this.reschedule();
    }
  }

  /** Sets the gate of channel 2 (port 0x61 bit 0); a rising edge restarts or triggers the count. */
  private setGate2(level: boolean): void {
    const c = this.channels[2];
    if (c.gate === level) return;
    const t = this.now();
    const m = c.m;
    if (!level) {
      if ((m === 0 || m === 4) && c.armed && c.frozen < 0) c.frozen = c.count(t);
    } else if (c.armed) {
      if (m === 0 || m === 4) {
        if (c.frozen >= 0) {
          const done = c.reload - c.frozen;
          c.startTick = t - (c.frozen === 0 ? c.reload : done);
          c.frozen = -1;
        }
      } else {
        if (c.pendingReload >= 0) {
          c.reload = c.pendingReload;
          c.pendingReload = -1;
          c.nullCount = false;
        }
        c.startTick = t;
        if (m === 1 || m === 5) c.triggered = true;
      }
    }
    c.gate = level;
  }

  private readPortB(): number {
    const refresh = Math.floor(this.clock.cycles / 1000) & 1;
    const out2 = this.channels[2].out(this.now()) ? 0x20 : 0;
    return (this.portB & 0x0f) | (refresh << 4) | out2;
  }

  private writePortB(v: number): void {
    this.portB = v & 0x0f;
    this.setGate2((v & 1) !== 0);
  }

  /** Drives IRQ 0 to channel 0's output now. */
  private updateIrq(): void {
    const level = this.channels[0].out(this.now());
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.setIrq0(level);
    }
  }

  private reschedule(): void {
    if (this.event) this.clock.cancel(this.event);
    this.event = null;
    const rise = this.channels[0].nextRise(this.now());
    if (rise >= 0) this.event = this.clock.schedule(ticksToCycles(rise), this.onRise);
  }

  /** Clock event at a rising edge of channel 0's output: a low-to-high edge on IRQ 0. */
  private readonly onRise = (): void => {
    this.event = null;
    this.setIrq0(false);
    this.setIrq0(true);
    this.irqLevel = true;
    this.reschedule();
  };
}
