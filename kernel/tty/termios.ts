// The kernel `struct termios` of Linux i386 (TCGETS/TCSETS*): four u32 flag
// words, c_line, and c_cc[19] = 36 bytes. Flag bits, c_cc indexes, ioctl
// numbers and the default settings are Linux's (tty_std_termios, INIT_C_CC).

export const NCCS = 19;
export const TERMIOS_SIZE = 36;

// c_cc indexes
export const VINTR = 0, VQUIT = 1, VERASE = 2, VKILL = 3, VEOF = 4, VTIME = 5, VMIN = 6, VSWTC = 7;
export const VSTART = 8, VSTOP = 9, VSUSP = 10, VEOL = 11, VREPRINT = 12, VDISCARD = 13, VWERASE = 14;
export const VLNEXT = 15, VEOL2 = 16;

// c_iflag
export const IGNBRK = 0o1, BRKINT = 0o2, IGNPAR = 0o4, PARMRK = 0o10, INPCK = 0o20, ISTRIP = 0o40;
export const INLCR = 0o100, IGNCR = 0o200, ICRNL = 0o400, IUCLC = 0o1000, IXON = 0o2000, IXANY = 0o4000;
export const IXOFF = 0o10000, IMAXBEL = 0o20000, IUTF8 = 0o40000;
// c_oflag
export const OPOST = 0o1, OLCUC = 0o2, ONLCR = 0o4, OCRNL = 0o10, ONOCR = 0o20, ONLRET = 0o40;
// c_cflag
export const B38400 = 0o17, CSIZE = 0o60, CS8 = 0o60, CSTOPB = 0o100, CREAD = 0o200, PARENB = 0o400;
export const HUPCL = 0o2000, CLOCAL = 0o4000;
// c_lflag
export const ISIG = 0o1, ICANON = 0o2, XCASE = 0o4, ECHO = 0o10, ECHOE = 0o20, ECHOK = 0o40, ECHONL = 0o100;
export const NOFLSH = 0o200, TOSTOP = 0o400, ECHOCTL = 0o1000, ECHOPRT = 0o2000, ECHOKE = 0o4000;
export const FLUSHO = 0o10000, PENDIN = 0o40000, IEXTEN = 0o100000, EXTPROC = 0o200000;

// ioctl numbers (i386)
export const TCGETS = 0x5401, TCSETS = 0x5402, TCSETSW = 0x5403, TCSETSF = 0x5404;
export const TCSBRK = 0x5409, TCXONC = 0x540a, TCFLSH = 0x540b, TIOCSCTTY = 0x540e;
export const TIOCGPGRP = 0x540f, TIOCSPGRP = 0x5410, TIOCOUTQ = 0x5411, TIOCGWINSZ = 0x5413;
export const TIOCSWINSZ = 0x5414, TIOCINQ = 0x541b, TIOCNOTTY = 0x5422, TIOCGSID = 0x5429;
export const TCOOFF = 0, TCOON = 1, TCIOFF = 2, TCION = 3;
export const TCIFLUSH = 0, TCOFLUSH = 1, TCIOFLUSH = 2;

/** _POSIX_VDISABLE: a c_cc slot holding 0 is disabled. */
export const VDISABLE = 0;

export class Termios {
  iflag = ICRNL | IXON;
  oflag = OPOST | ONLCR;
  cflag = B38400 | CS8 | CREAD | HUPCL;
  lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
  line = 0;
  /** INIT_C_CC: ^C ^\ ^? ^U ^D 0 1 0 ^Q ^S ^Z 0 ^R ^O ^W ^V 0, then two zero slots. */
  cc = Uint8Array.of(3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0, 0, 0);

  /** The 36-byte little-endian struct termios. */
  encode(): Uint8Array {
    const out = new Uint8Array(TERMIOS_SIZE);
    const v = new DataView(out.buffer);
    v.setUint32(0, this.iflag >>> 0, true);
    v.setUint32(4, this.oflag >>> 0, true);
    v.setUint32(8, this.cflag >>> 0, true);
    v.setUint32(12, this.lflag >>> 0, true);
    out[16] = this.line;
    out.set(this.cc, 17);
    return out;
  }

  /** Load from a 36-byte struct (the caller checked the length). */
  decode(b: Uint8Array): void {
    const v = new DataView(b.buffer, b.byteOffset, TERMIOS_SIZE);
    this.iflag = v.getUint32(0, true);
    this.oflag = v.getUint32(4, true);
    this.cflag = v.getUint32(8, true);
    this.lflag = v.getUint32(12, true);
    this.line = b[16];
    this.cc.set(b.subarray(17, 17 + NCCS));
  }
}

/** struct winsize: ws_row, ws_col, ws_xpixel, ws_ypixel (u16 each). */
export interface Winsize {
  row: number;
  col: number;
  xpixel: number;
  ypixel: number;
}
