// The physical address space shared by the CPU and the devices (TinyEMU's
// iomem): RAM from 0, ROM images, and MMIO regions, each 4 KiB page owned by
// exactly one of them. Everything that touches guest physical memory (CPU page
// walks, device DMA, the kernel's accessor, the monitor) goes through here or
// through the `ram` array it hands out for RAM pages.

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;

/** What backs one 4 KiB physical page. */
export const enum PageKind {
  Unmapped = 0, // reads return all ones, writes are dropped
  Ram = 1,
  Rom = 2, // read-only; `romOffset` gives the byte offset of the page in `rom`
  Mmio = 3,
}

/** A device window in the physical address space. Offsets are relative to the region start. */
export interface MmioHandler {
  read8(offset: number): number;
  write8(offset: number, value: number): void;
  /** Optional wider accesses; when absent they are split into bytes (little-endian). */
  read16?(offset: number): number;
  write16?(offset: number, value: number): void;
  read32?(offset: number): number;
  write32?(offset: number, value: number): void;
}

const PAGES_4G = 1 << 20;

export class PhysicalMemory {
  /** Guest RAM, physical address 0 upwards. */
  readonly ram: Uint8Array;
  readonly ramSize: number;
  /** Kind of every 4 KiB page of the 4 GiB physical space. */
  readonly pageKind = new Uint8Array(PAGES_4G);
  /** For Rom pages: byte offset into `rom`; for Mmio pages: index into `mmio`. */
  readonly pageAux = new Int32Array(PAGES_4G);
  rom = new Uint8Array(0);
  private readonly mmio: { base: number; handler: MmioHandler }[] = [];
  /**
   * One byte per RAM page; nonzero when decoded code from that page is cached.
   * A write to such a page calls `onCodeWrite(page)` so the CPU can drop it.
   */
  readonly codePages: Uint8Array;
  onCodeWrite: (page: number) => void = () => {};

  /** size: bytes of RAM, a multiple of 4 KiB, at most 3 GiB. */
  constructor(size: number) {
    if (size <= 0 || size % PAGE_SIZE !== 0 || size > 0xc000_0000) {
      throw new RangeError(`RAM size ${size} must be a positive multiple of 4 KiB up to 3 GiB`);
    }
    this.ram = new Uint8Array(size);
    this.ramSize = size;
    this.codePages = new Uint8Array(size >>> PAGE_SHIFT);
    this.pageKind.fill(PageKind.Ram, 0, size >>> PAGE_SHIFT);
  }

  /**
   * Maps `image` read-only at physical address `base` (page aligned). The
   * image is padded to whole pages. Several windows may show the same image
   * (the BIOS appears below 1 MiB and at the top of 4 GiB).
   */
  mapRom(base: number, image: Uint8Array): void {
    const pages = Math.ceil(image.length / PAGE_SIZE);
    const start = this.rom.length;
    const grown = new Uint8Array(start + pages * PAGE_SIZE);
    grown.fill(0xff);
    grown.set(this.rom, 0);
    grown.set(image, start);
    this.rom = grown;
    for (let i = 0; i < pages; i++) {
      const p = (base >>> PAGE_SHIFT) + i;
      this.pageKind[p] = PageKind.Rom;
      this.pageAux[p] = start + i * PAGE_SIZE;
    }
  }

  /** Gives the pages [base, base+size) to a device. base and size are page aligned. */
  mapMmio(base: number, size: number, handler: MmioHandler): void {
    const index = this.mmio.length;
    this.mmio.push({ base: base >>> 0, handler });
    const first = base >>> PAGE_SHIFT;
    for (let i = 0; i < size >>> PAGE_SHIFT; i++) {
      this.pageKind[first + i] = PageKind.Mmio;
      this.pageAux[first + i] = index;
    }
  }

  /** True when the bytes addr and addr+last lie in plain RAM pages (last < 4096). */
  plain(addr: number, last: number): boolean {
    const k = this.pageKind;
    return k[addr >>> PAGE_SHIFT] === PageKind.Ram && k[(addr + last) >>> PAGE_SHIFT] === PageKind.Ram;
  }

  read8(addr: number): number {
    addr >>>= 0;
    if (addr < this.ramSize && this.pageKind[addr >>> PAGE_SHIFT] === PageKind.Ram) return this.ram[addr];
    return this.slowRead8(addr);
  }

  read16(addr: number): number {
    addr >>>= 0;
    if (addr + 1 < this.ramSize && this.plain(addr, 1)) return this.ram[addr] | (this.ram[addr + 1] << 8);
    const page = addr >>> PAGE_SHIFT;
    if (this.pageKind[page] === PageKind.Mmio && (addr & 0xfff) <= 0xffe) {
      const m = this.mmio[this.pageAux[page]];
      if (m.handler.read16) return m.handler.read16(addr - m.base) & 0xffff;
    }
    return this.read8(addr) | (this.read8(addr + 1) << 8);
  }

  read32(addr: number): number {
    addr >>>= 0;
    if (addr + 3 < this.ramSize && this.plain(addr, 3)) {
      const r = this.ram;
      return r[addr] | (r[addr + 1] << 8) | (r[addr + 2] << 16) | (r[addr + 3] << 24);
    }
    const page = addr >>> PAGE_SHIFT;
    if (this.pageKind[page] === PageKind.Mmio && (addr & 0xfff) <= 0xffc) {
      const m = this.mmio[this.pageAux[page]];
      if (m.handler.read32) return m.handler.read32(addr - m.base) | 0;
    }
    return (this.read16(addr) | (this.read16(addr + 2) << 16)) | 0;
  }

  write8(addr: number, value: number): void {
    addr >>>= 0;
    if (addr < this.ramSize && this.pageKind[addr >>> PAGE_SHIFT] === PageKind.Ram) {
      this.ram[addr] = value;
      if (this.codePages[addr >>> PAGE_SHIFT] !== 0) this.onCodeWrite(addr >>> PAGE_SHIFT);
      return;
    }
    this.slowWrite8(addr, value);
  }

  write16(addr: number, value: number): void {
    addr >>>= 0;
    const page = addr >>> PAGE_SHIFT;
    if (this.pageKind[page] === PageKind.Mmio && (addr & 0xfff) <= 0xffe) {
      const m = this.mmio[this.pageAux[page]];
      if (m.handler.write16) return m.handler.write16(addr - m.base, value & 0xffff);
    }
    this.write8(addr, value);
    this.write8(addr + 1, value >>> 8);
  }

  write32(addr: number, value: number): void {
    addr >>>= 0;
    if (addr + 3 < this.ramSize && this.plain(addr, 3)) {
      const r = this.ram;
      r[addr] = value;
      r[addr + 1] = value >>> 8;
      r[addr + 2] = value >>> 16;
      r[addr + 3] = value >>> 24;
      const cp = this.codePages;
      if (cp[addr >>> PAGE_SHIFT] !== 0) this.onCodeWrite(addr >>> PAGE_SHIFT);
      if (cp[(addr + 3) >>> PAGE_SHIFT] !== 0) this.onCodeWrite((addr + 3) >>> PAGE_SHIFT);
      return;
    }
    const page = addr >>> PAGE_SHIFT;
    if (this.pageKind[page] === PageKind.Mmio && (addr & 0xfff) <= 0xffc) {
      const m = this.mmio[this.pageAux[page]];
      if (m.handler.write32) return m.handler.write32(addr - m.base, value | 0);
    }
    this.write16(addr, value);
    this.write16(addr + 2, value >>> 16);
  }

  /** Copies bytes out of physical memory (any kind), e.g. for the monitor. */
  readBytes(addr: number, len: number): Uint8Array {
    addr >>>= 0;
    // Plain RAM (the kernel's copies from user pages): one block copy instead of a read8 per byte.
    if (len > 0 && addr + len <= this.ramSize && this.plainRange(addr, len)) return this.ram.slice(addr, addr + len);
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) out[i] = this.read8(addr + i);
    return out;
  }

  /** Copies bytes into physical memory (RAM and MMIO; ROM ignores them). */
  writeBytes(addr: number, data: Uint8Array): void {
    addr >>>= 0;
    if (data.length > 0 && addr + data.length <= this.ramSize && this.plainRange(addr, data.length)) {
      this.ram.set(data, addr);
      for (let p = addr >>> PAGE_SHIFT; p <= (addr + data.length - 1) >>> PAGE_SHIFT; p++) {
        if (this.codePages[p] !== 0) this.onCodeWrite(p);
      }
      return;
    }
    for (let i = 0; i < data.length; i++) this.write8(addr + i, data[i]);
  }

  private plainRange(addr: number, len: number): boolean {
    for (let p = addr >>> PAGE_SHIFT; p <= (addr + len - 1) >>> PAGE_SHIFT; p++) {
      if (this.pageKind[p] !== PageKind.Ram) return false;
    }
    return true;
  }

  private slowRead8(addr: number): number {
    const page = addr >>> PAGE_SHIFT;
    switch (this.pageKind[page]) {
      case PageKind.Rom:
        return this.rom[this.pageAux[page] + (addr & 0xfff)];
      case PageKind.Mmio: {
        const m = this.mmio[this.pageAux[page]];
        return m.handler.read8(addr - m.base) & 0xff;
      }
      case PageKind.Ram:
        return this.ram[addr];
      default:
        return 0xff;
    }
  }

  private slowWrite8(addr: number, value: number): void {
    const page = addr >>> PAGE_SHIFT;
    if (this.pageKind[page] === PageKind.Mmio) {
      const m = this.mmio[this.pageAux[page]];
      m.handler.write8(addr - m.base, value & 0xff);
    } else if (this.pageKind[page] === PageKind.Ram) {
      this.ram[addr] = value;
      if (this.codePages[page] !== 0) this.onCodeWrite(page);
    }
  }
}
