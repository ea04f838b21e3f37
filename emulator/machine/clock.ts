// Guest time. Everything that depends on time (PIT, RTC, RDTSC, pacing)
// derives it from the CPU's cycle count, so a run is deterministic: the same
// image and the same input give the same cycles.
//
// Events are kept in a small array sorted by due cycle; the run loop asks
// `nextEvent` how far the CPU may run before a device needs attention.

/** The emulated CPU clock: a 66 MHz 486DX2. */
export const CPU_HZ = 66_000_000;

export type EventCallback = (now: number) => void;

interface TimedEvent {
  due: number;
  callback: EventCallback;
}

export class Clock {
  /** Cycles executed since reset. A float64 holds integers exactly up to 2^53 (about 4 years at 66 MHz). */
  cycles = 0;
  private readonly events: TimedEvent[] = [];
  /** Cycle of the earliest pending event, or Infinity. */
  nextEvent = Infinity;

  /** Guest nanoseconds since reset. */
  nanoseconds(): number {
    return Math.floor((this.cycles * 1e9) / CPU_HZ);
  }

  /** Schedules `callback` at absolute cycle `due`; returns a handle for `cancel`. */
  schedule(due: number, callback: EventCallback): object {
    const ev: TimedEvent = { due, callback };
    let i = this.events.length;
    while (i > 0 && this.events[i - 1].due > due) i--;
    this.events.splice(i, 0, ev);
    this.nextEvent = this.events[0].due;
    return ev;
  }

  /** Removes a scheduled event; harmless if it already ran. */
  cancel(handle: object): void {
    const i = this.events.indexOf(handle as TimedEvent);
    if (i >= 0) this.events.splice(i, 1);
    this.nextEvent = this.events.length > 0 ? this.events[0].due : Infinity;
  }

  /** Runs every event due at or before the current cycle, in order. */
  runDue(): void {
    while (this.events.length > 0 && this.events[0].due <= this.cycles) {
      const ev = this.events.shift()!;
      this.nextEvent = this.events.length > 0 ? this.events[0].due : Infinity;
      ev.callback(this.cycles);
    }
    this.nextEvent = this.events.length > 0 ? this.events[0].due : Infinity;
  }

  reset(): void {
    this.cycles = 0;
    this.events.length = 0;
    this.nextEvent = Infinity;
  }
}
