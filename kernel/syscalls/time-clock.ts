// The kernel's clocks. CLOCK_MONOTONIC is guest time since reset, from the
// cycle counter. CLOCK_REALTIME is the date the CMOS RTC held when the kernel
// first asked (read once through the RTC's ports, like Linux's
// read_persistent_clock at boot) plus guest time since then, plus whatever
// settimeofday added. Everything derives from guest cycles: deterministic.

import type { Kernel } from "../kernel.ts";
import type { FsClock } from "../fs/inode.ts";

import { CPU_HZ } from "../arch/x86.ts";

/** Guest CPU frequency: the machine's, through kernel/arch. */
export { CPU_HZ };
export const NSEC_PER_SEC = 1_000_000_000;

const CMOS_INDEX = 0x70;
const CMOS_DATA = 0x71;

/** The realtime clock's base (Kernel.realtimeBase). */
export interface ClockState {
  /** Realtime seconds at guest cycle 0 (RTC reading minus guest time at the read). */
  epochAtReset: number;
  /** Nanoseconds added by settimeofday/clock_settime. */
  offsetNs: number;
}

function cmosRead(k: Kernel, reg: number): number {
  k.x86.outb(CMOS_INDEX, 0x80 | reg); // keep NMI disabled, as Linux does while reading CMOS
  return k.x86.inb(CMOS_DATA);
}

const bcd = (v: number): number => (v & 0x0f) + (v >>> 4) * 10;

/** Unix seconds from the RTC's date registers (BCD or binary per register B; 12-hour mode handled). */
export function readRtc(k: Kernel): number {
  // Wait out an update in progress (bounded: the RTC leaves UIP within 244 us).
  for (let i = 0; i < 10000 && (cmosRead(k, 0x0a) & 0x80) !== 0; i++) k.x86.charge(66);
  const b = cmosRead(k, 0x0b);
  const bin = (b & 0x04) !== 0;
  const conv = (v: number): number => (bin ? v : bcd(v));
  const sec = conv(cmosRead(k, 0x00));
  const min = conv(cmosRead(k, 0x02));
  const hourRaw = cmosRead(k, 0x04);
  let hour = conv(hourRaw & 0x7f);
  if ((b & 0x02) === 0) {
    // 12-hour mode: bit 7 = PM, 12 means 0.
    hour %= 12;
    if (hourRaw & 0x80) hour += 12;
  }
  const mday = conv(cmosRead(k, 0x07));
  const mon = conv(cmosRead(k, 0x08));
  let year = conv(cmosRead(k, 0x09));
  const century = conv(cmosRead(k, 0x32));
  year += century >= 19 && century <= 30 ? century * 100 : year < 70 ? 2000 : 1900;
  const ms = Date.UTC(year, Math.max(0, mon - 1), Math.max(1, mday), hour, min, sec);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : 0;
}

function stateOf(k: Kernel): ClockState {
  let s = k.realtimeBase;
  if (s == null) {
    const now = readRtc(k);
    s = { epochAtReset: now - Math.floor(k.x86.cycles() / CPU_HZ), offsetNs: 0 };
    k.realtimeBase = s;
  }
  return s;
}

/** Set the realtime base explicitly (tests; hosts that know the date). */
export function setRealtimeEpoch(k: Kernel, secondsAtReset: number): void {
  k.realtimeBase = { epochAtReset: secondsAtReset, offsetNs: 0 };
}

/** Guest nanoseconds since reset as [sec, nsec]. */
export function monotonic(k: Kernel): [number, number] {
  const c = k.x86.cycles();
  const sec = Math.floor(c / CPU_HZ);
  const nsec = Math.floor(((c - sec * CPU_HZ) * NSEC_PER_SEC) / CPU_HZ);
  return [sec, nsec];
}

/** Wall-clock time as [sec, nsec]. */
export function realtime(k: Kernel): [number, number] {
  const s = stateOf(k);
  const [ms, mns] = monotonic(k);
  let total = mns + s.offsetNs;
  let sec = s.epochAtReset + ms + Math.floor(total / NSEC_PER_SEC);
  total -= Math.floor(total / NSEC_PER_SEC) * NSEC_PER_SEC;
  if (sec < 0) sec = 0;
  return [sec, total];
}

/** Make realtime read (sec, nsec) from now on (settimeofday). */
export function setRealtime(k: Kernel, sec: number, nsec: number): void {
  const s = stateOf(k);
  const [cs, cns] = realtime(k);
  s.offsetNs += (sec - cs) * NSEC_PER_SEC + (nsec - cns);
}

/** The FsClock inode timestamps use: realtime. */
export function fsClockOf(k: Kernel): FsClock {
  return {
    sec: () => realtime(k)[0],
    nsec: () => realtime(k)[1],
  };
}
