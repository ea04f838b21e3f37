// VGA text mode as far as a kernel console uses it: the 80x25 character
// buffer at physical 0xB8000 (plain RAM; this device only reads it), the CRT
// controller's index/data ports 0x3D4/0x3D5 (cursor shape and position, start
// address) and the input status register 0x3DA (display-enable and vertical
// retrace bits derived from guest time, 60 frames per second). The
// miscellaneous output register reads 0x67 at 0x3CC (colour, I/O at 0x3Dx).

import { CPU_HZ, type Clock } from "../machine/clock.ts";
import type { IoPorts } from "../io/ports.ts";
import type { PhysicalMemory } from "../memory/physmem.ts";

export const VGA_TEXT_BASE = 0xb8000;
export const VGA_COLS = 80;
export const VGA_ROWS = 25;

/** Code page 437 glyphs for bytes 0x00-0xFF as Unicode. */
const CP437 =
  " ☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼" +
  " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~⌂" +
  "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀" +
  "αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0";

const GLYPHS: string[] = Array.from(CP437);
if (GLYPHS.length !== 256) throw new Error(`vga: CP437 table has ${GLYPHS.length} entries`);

/** What the screen shows. */
export interface TextSnapshot {
  /** 25 strings of 80 characters (CP437 mapped to Unicode). */
  lines: string[];
  /** Attribute byte of every cell, row-major (80 * 25). */
  attributes: Uint8Array;
  /** Raw character bytes of every cell, row-major. */
  chars: Uint8Array;
  cursor: { row: number; col: number; visible: boolean };
}

export class Vga {
  /** CRTC registers 0x00-0x18. */
  readonly crtc = new Uint8Array(0x19);
  crtcIndex = 0;

  constructor(
    io: IoPorts,
    private readonly mem: PhysicalMemory,
    private readonly clock: Clock,
  ) {
    io.register(0x3d4, 2, {
      in8: (port) => (port === 0x3d4 ? this.crtcIndex : this.crtcIndex < this.crtc.length ? this.crtc[this.crtcIndex] : 0xff),
      out8: (port, v) => {
        if (port === 0x3d4) this.crtcIndex = v;
        else if (this.crtcIndex < this.crtc.length) this.crtc[this.crtcIndex] = v;
      },
    });
    io.register(0x3da, 1, { in8: () => this.status() });
    io.register(0x3cc, 1, { in8: () => 0x67 });
    this.reset();
  }

  /** Text mode 3 defaults: cursor scan lines 13-14 at the top left, start address 0. */
  reset(): void {
    this.crtc.fill(0);
    this.crtc[0x0a] = 0x0d;
    this.crtc[0x0b] = 0x0e;
    this.crtcIndex = 0;
  }

  /** Input status 1: bit 3 vertical retrace (last ~5% of a 60 Hz frame), bit 0 display disabled. */
  private status(): number {
    const frame = CPU_HZ / 60;
    const pos = this.clock.cycles % frame;
    const retrace = pos >= frame * 0.95;
    const line = Math.floor(pos / (frame / 525));
    const hblank = (pos % (frame / 525)) >= (frame / 525) * 0.8;
    return (retrace ? 0x08 : 0) | (retrace || hblank || line >= 480 ? 0x01 : 0);
  }

  /** Start address of the displayed page, in character cells. */
  get startAddress(): number {
    return (this.crtc[0x0c] << 8) | this.crtc[0x0d];
  }

  /** Cursor location in character cells from the start of the buffer. */
  get cursorAddress(): number {
    return (this.crtc[0x0e] << 8) | this.crtc[0x0f];
  }

  /** Reads the visible 80x25 page and the cursor. Allocates the result (not for hot paths). */
  snapshot(): TextSnapshot {
    const chars = new Uint8Array(VGA_COLS * VGA_ROWS);
    const attributes = new Uint8Array(VGA_COLS * VGA_ROWS);
    const start = this.startAddress;
    const lines: string[] = [];
    for (let r = 0; r < VGA_ROWS; r++) {
      let line = "";
      for (let c = 0; c < VGA_COLS; c++) {
        const cell = r * VGA_COLS + c;
        const addr = VGA_TEXT_BASE + (((start + cell) * 2) & 0x7fff);
        const ch = this.mem.read8(addr);
        chars[cell] = ch;
        attributes[cell] = this.mem.read8(addr + 1);
        line += ch === 0 ? " " : GLYPHS[ch];
      }
      lines.push(line);
    }
    const rel = this.cursorAddress - start;
    const disabled = (this.crtc[0x0a] & 0x20) !== 0 || (this.crtc[0x0a] & 0x1f) > (this.crtc[0x0b] & 0x1f);
    const onScreen = rel >= 0 && rel < VGA_COLS * VGA_ROWS;
    return {
      lines,
      attributes,
      chars,
      cursor: {
        row: onScreen ? Math.floor(rel / VGA_COLS) : -1,
        col: onScreen ? rel % VGA_COLS : -1,
        visible: !disabled && onScreen,
      },
    };
  }
}
