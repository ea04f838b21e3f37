import { describe, it, expect } from "vitest";
import { IoPorts } from "../../emulator/io/ports.ts";
import { DebugCon } from "../../emulator/devices/debugcon.ts";
import { PostCode } from "../../emulator/devices/postcode.ts";
import { ExitPort } from "../../emulator/devices/exitport.ts";
import { ResetControl } from "../../emulator/devices/reset.ts";

describe("small ports", () => {
  it("debugcon: bytes to the callback, reads return 0xE9", () => {
    const io = new IoPorts();
    const d = new DebugCon(io);
    const got: number[] = [];
    d.onOutput = (b) => got.push(b);
    io.out8(0xe9, 0x48);
    io.out8(0xe9, 0x69);
    expect(got).toEqual([0x48, 0x69]);
    expect(io.in8(0xe9)).toBe(0xe9);
  });

  it("POST port keeps the last code and logs each", () => {
    const io = new IoPorts();
    const p = new PostCode(io);
    const log: number[] = [];
    p.onCode = (c) => log.push(c);
    io.out8(0x80, 0x12);
    io.out8(0x80, 0x34);
    expect(p.last).toBe(0x34);
    expect(log).toEqual([0x12, 0x34]);
  });

  it("isa-debug-exit: a write of V exits with (V << 1) | 1", () => {
    const io = new IoPorts();
    const e = new ExitPort(io);
    const st: number[] = [];
    e.onExit = (s) => st.push(s);
    io.out8(0xf4, 0);
    io.out8(0xf4, 0x10);
    io.out32(0xf4, 0x41);
    expect(st).toEqual([1, 33, 0x83]);
  });

  it("reset: 8042 pulse, 8042 output port, port 0x92 bit 0; A20 reads as on", () => {
    const io = new IoPorts();
    const r = new ResetControl(io);
    let n = 0;
    r.onReset = () => n++;
    io.out8(0x64, 0xfe);
    expect(n).toBe(1);
    io.out8(0x64, 0xd1);
    io.out8(0x60, 0xdf); // A20 on, reset line high: no reset
    expect(n).toBe(1);
    io.out8(0x64, 0xd1);
    io.out8(0x60, 0xde);
    expect(n).toBe(2);
    expect(io.in8(0x92) & 0x02).toBe(0x02);
    io.out8(0x92, 0x02);
    expect(n).toBe(2);
    io.out8(0x92, 0x03);
    expect(n).toBe(3);
    expect(io.in8(0x64) & 0x02).toBe(0); // input buffer empty
  });
});
