import { describe, it, expect, beforeEach } from "vitest";
import { IoPorts } from "../../emulator/io/ports.ts";
import { Pic } from "../../emulator/devices/pic.ts";

// Programs the pair the way Linux's init_8259A does: vectors 0x20 and 0x28, cascade on IR2.
function linuxInit(io: IoPorts): void {
  io.out8(0x21, 0xff);
  io.out8(0xa1, 0xff);
  io.out8(0x20, 0x11);
  io.out8(0x21, 0x20);
  io.out8(0x21, 0x04);
  io.out8(0x21, 0x01);
  io.out8(0xa0, 0x11);
  io.out8(0xa1, 0x28);
  io.out8(0xa1, 0x02);
  io.out8(0xa1, 0x01);
  io.out8(0x21, 0x00);
  io.out8(0xa1, 0x00);
}

const readIrr = (io: IoPorts, port: number) => (io.out8(port, 0x0a), io.in8(port));
const readIsr = (io: IoPorts, port: number) => (io.out8(port, 0x0b), io.in8(port));

describe("8259A PIC pair", () => {
  let io: IoPorts;
  let pic: Pic;
  beforeEach(() => {
    io = new IoPorts();
    pic = new Pic(io);
    linuxInit(io);
  });

  it("starts masked at power-on and delivers nothing", () => {
    const p = new Pic(new IoPorts());
    p.raiseIrq(0);
    expect(p.hasInterrupt()).toBe(false);
  });

  it("delivers IRQ 0 at vector 0x20 and shows it in IRR then ISR", () => {
    pic.raiseIrq(0);
    expect(readIrr(io, 0x20)).toBe(0x01);
    expect(pic.hasInterrupt()).toBe(true);
    expect(pic.acknowledge()).toBe(0x20);
    expect(readIrr(io, 0x20)).toBe(0x00);
    expect(readIsr(io, 0x20)).toBe(0x01);
    expect(pic.hasInterrupt()).toBe(false);
    io.out8(0x20, 0x20); // non-specific EOI
    expect(readIsr(io, 0x20)).toBe(0x00);
  });

  it("resolves priority: lower IR first, lower priority blocked while a higher one is in service", () => {
    pic.raiseIrq(3);
    pic.raiseIrq(1);
    expect(pic.acknowledge()).toBe(0x21);
    expect(pic.hasInterrupt()).toBe(false); // IR3 waits behind IR1 in service
    expect(readIrr(io, 0x20)).toBe(0x08);
    pic.raiseIrq(0);
    expect(pic.hasInterrupt()).toBe(true); // IR0 preempts IR1
    expect(pic.acknowledge()).toBe(0x20);
    expect(readIsr(io, 0x20)).toBe(0x03);
    io.out8(0x20, 0x20); // EOI clears the highest in service: IR0
    expect(readIsr(io, 0x20)).toBe(0x02);
    io.out8(0x20, 0x61); // specific EOI for IR1
    expect(readIsr(io, 0x20)).toBe(0x00);
    expect(pic.acknowledge()).toBe(0x23);
  });

  it("keeps masked requests in IRR without interrupting; the mask reads back", () => {
    io.out8(0x21, 0x10);
    expect(io.in8(0x21)).toBe(0x10);
    pic.raiseIrq(4);
    expect(pic.hasInterrupt()).toBe(false);
    expect(readIrr(io, 0x20)).toBe(0x10);
    io.out8(0x21, 0x00);
    expect(pic.hasInterrupt()).toBe(true);
    expect(pic.acknowledge()).toBe(0x24);
  });

  it("is edge triggered: a held line requests once, a new edge requests again", () => {
    pic.raiseIrq(1);
    expect(pic.acknowledge()).toBe(0x21);
    io.out8(0x20, 0x20);
    pic.raiseIrq(1);
    expect(pic.hasInterrupt()).toBe(false);
    pic.lowerIrq(1);
    pic.raiseIrq(1);
    expect(pic.hasInterrupt()).toBe(true);
  });

  it("cascades the slave through IR2 (RTC on IRQ 8 at vector 0x28)", () => {
    pic.raiseIrq(8);
    expect(readIrr(io, 0xa0)).toBe(0x01);
    expect(readIrr(io, 0x20)).toBe(0x04);
    expect(pic.acknowledge()).toBe(0x28);
    expect(readIsr(io, 0x20)).toBe(0x04);
    expect(readIsr(io, 0xa0)).toBe(0x01);
    // a second slave IRQ of lower priority waits
    pic.raiseIrq(12);
    expect(pic.hasInterrupt()).toBe(false);
    io.out8(0xa0, 0x20);
    io.out8(0x20, 0x20);
    expect(pic.acknowledge()).toBe(0x2c);
  });

  it("gives a spurious IRQ 7 without setting ISR when the request vanished", () => {
    expect(pic.acknowledge()).toBe(0x27);
    expect(readIsr(io, 0x20)).toBe(0x00);
  });

  it("gives a spurious IRQ 15 from the slave, with the master's IR2 in service", () => {
    // the master sees a cascade request, then the slave's request is masked before INTA
    pic.raiseIrq(9);
    expect(pic.hasInterrupt()).toBe(true);
    const slave = pic.slave;
    slave.imr = 0x02; // masked behind the PIC's back, as a race on hardware
    pic.master.irr |= 0x04;
    expect(pic.acknowledge()).toBe(0x2f);
    expect(readIsr(io, 0x20)).toBe(0x04);
    expect(readIsr(io, 0xa0)).toBe(0x00);
  });

  it("rotates priority with OCW2 set-priority", () => {
    io.out8(0x20, 0xc0 | 4); // IR4 lowest: IR5 highest
    pic.raiseIrq(3);
    pic.raiseIrq(6);
    expect(pic.acknowledge()).toBe(0x26);
  });

  it("answers a poll command with 0x80 | IR and acknowledges it", () => {
    pic.raiseIrq(5);
    io.out8(0x20, 0x0c);
    expect(io.in8(0x20)).toBe(0x85);
    expect(readIsr(io, 0x20)).toBe(0x20);
  });

  it("completes interrupts at once in automatic EOI mode", () => {
    io.out8(0x20, 0x11);
    io.out8(0x21, 0x08);
    io.out8(0x21, 0x04);
    io.out8(0x21, 0x03); // 8086 mode + AEOI
    io.out8(0x21, 0x00);
    pic.raiseIrq(0);
    expect(pic.acknowledge()).toBe(0x08);
    expect(readIsr(io, 0x20)).toBe(0x00);
  });

  it("BIOS state: vectors 0x08/0x70 with every line but the cascade masked", () => {
    const p = new Pic(new IoPorts());
    p.biosInit();
    expect(p.master.vectorBase).toBe(0x08);
    expect(p.slave.vectorBase).toBe(0x70);
    expect(p.master.imr).toBe(0xfb);
    expect(p.slave.imr).toBe(0xff);
  });
});
