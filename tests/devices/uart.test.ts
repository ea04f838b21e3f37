import { describe, it, expect, beforeEach } from "vitest";
import { IoPorts } from "../../emulator/io/ports.ts";
import { Uart } from "../../emulator/devices/uart.ts";

const B = 0x3f8;
const RBR = B, IER = B + 1, IIR = B + 2, FCR = B + 2, LCR = B + 3, MCR = B + 4, LSR = B + 5, MSR = B + 6, SCR = B + 7;

describe("16550A UART", () => {
  let io: IoPorts;
  let uart: Uart;
  let sent: number[];
  let irq: boolean;

  beforeEach(() => {
    io = new IoPorts();
    irq = false;
    uart = new Uart(io, B, (l) => (irq = l));
    sent = [];
    uart.onTransmit = (b) => sent.push(b);
    // a driver's init: 115200 8N1, FIFO on with trigger 14, DTR RTS OUT2
    io.out8(IER, 0x00);
    io.out8(LCR, 0x80);
    io.out8(B, 0x01);
    io.out8(B + 1, 0x00);
    io.out8(LCR, 0x03);
    io.out8(FCR, 0xc7);
    io.out8(MCR, 0x0b);
  });

  it("keeps the divisor behind DLAB and the scratch register", () => {
    io.out8(LCR, 0x80);
    expect(io.in8(B)).toBe(0x01);
    expect(io.in8(B + 1)).toBe(0x00);
    io.out8(LCR, 0x03);
    expect(io.in8(LCR)).toBe(0x03);
    io.out8(SCR, 0x5a);
    expect(io.in8(SCR)).toBe(0x5a);
  });

  it("transmits at once: THR write reaches the host, LSR shows THRE and TEMT", () => {
    expect(io.in8(LSR)).toBe(0x60);
    for (const c of "ok\n") io.out8(B, c.charCodeAt(0));
    expect(String.fromCharCode(...sent)).toBe("ok\n");
    expect(io.in8(LSR)).toBe(0x60);
  });

  it("reports received data below the trigger level as a character timeout", () => {
    io.out8(IER, 0x01);
    uart.receive(new TextEncoder().encode("hello"));
    expect(io.in8(LSR) & 0x01).toBe(1);
    expect(io.in8(IIR)).toBe(0xcc);
    expect(irq).toBe(true);
    let s = "";
    while (io.in8(LSR) & 1) s += String.fromCharCode(io.in8(RBR));
    expect(s).toBe("hello");
    expect(io.in8(IIR)).toBe(0xc1);
    expect(irq).toBe(false);
  });

  it("keeps host input beyond the FIFO in a queue: nothing is lost to overrun", () => {
    io.out8(IER, 0x01);
    const text = "the quick brown fox jumps over the lazy dog";
    uart.receive(new TextEncoder().encode(text));
    expect(io.in8(IIR)).toBe(0xc4); // 16 bytes >= trigger 14
    let s = "";
    while (io.in8(LSR) & 1) s += String.fromCharCode(io.in8(RBR));
    expect(s).toBe(text);
    expect(io.in8(LSR) & 0x02).toBe(0); // no overrun
    expect(uart.pendingInput).toBe(0);
  });

  it("raises THRE when enabled with THR empty; an IIR read clears it, a THR write sets it again", () => {
    io.out8(IER, 0x02);
    expect(irq).toBe(true);
    expect(io.in8(IIR)).toBe(0xc2);
    expect(io.in8(IIR)).toBe(0xc1);
    expect(irq).toBe(false);
    io.out8(B, 0x41);
    expect(io.in8(IIR)).toBe(0xc2);
  });

  it("orders IIR by priority: line status > received data > THR empty", () => {
    io.out8(MCR, 0x1b); // loopback
    io.out8(IER, 0x07);
    for (let i = 0; i < 17; i++) io.out8(B, 0x30 + i); // one more than the FIFO holds
    expect(sent).toEqual([]);
    expect(io.in8(IIR)).toBe(0xc6); // overrun
    expect(io.in8(LSR) & 0x03).toBe(0x03); // DR + OE, cleared by the read
    expect(io.in8(IIR)).toBe(0xc4); // 16 bytes received
    for (let i = 0; i < 16; i++) expect(io.in8(RBR)).toBe(0x30 + i);
    expect(io.in8(IIR)).toBe(0xc2); // only THRE remains
  });

  it("loops the modem control outputs back to the status inputs", () => {
    io.out8(MCR, 0x10);
    io.in8(MSR);
    io.out8(MCR, 0x1f);
    expect(io.in8(MSR)).toBe(0xf0 | 0x0b); // CTS DSR RI DCD, deltas for CTS DSR DCD
    expect(io.in8(MSR)).toBe(0xf0);
  });

  it("drives IRQ only while MCR.OUT2 is set", () => {
    io.out8(IER, 0x01);
    io.out8(MCR, 0x03);
    uart.receive([0x61]);
    expect(irq).toBe(false);
    io.out8(MCR, 0x0b);
    expect(irq).toBe(true);
  });

  it("without FIFOs holds one byte and IIR has no FIFO bits", () => {
    io.out8(FCR, 0x00);
    io.out8(IER, 0x01);
    uart.receive([1, 2, 3]);
    expect(io.in8(IIR)).toBe(0x04);
    expect(io.in8(RBR)).toBe(1);
    expect(io.in8(RBR)).toBe(2);
    expect(io.in8(RBR)).toBe(3);
    expect(io.in8(LSR) & 1).toBe(0);
  });
});
