// Decimal adjust instructions: DAA DAS AAA AAS AAM AAD. AAA/AAS adjust AX as a
// whole (AX + 106h, AX - 6 then AH - 1), as 286-and-later parts do (checked against
// the host CPU in tests/cpu/differential.test.ts). Flags the manual calls undefined: OF
// is cleared by DAA/DAS, SF ZF PF of AAA/AAS come from AL, AAM/AAD clear CF AF OF.

import type { CPU } from "./cpu.ts";
import { Vec } from "./defs.ts";
import { getAF, getCF, setSzp } from "./flags.ts";

const CF = 1;
const AF = 0x10;

export function daa(c: CPU): void {
  const old = c.reg8[0];
  const oldCf = getCF(c);
  let al = old;
  let cf = 0;
  let af = 0;
  if ((al & 0x0f) > 9 || getAF(c) !== 0) {
    al += 6;
    cf = oldCf | (al > 0xff ? 1 : 0);
    al &= 0xff;
    af = 1;
  }
  if (old > 0x99 || oldCf !== 0) {
    al = (al + 0x60) & 0xff;
    cf = 1;
  }
  c.reg8[0] = al;
  setSzp(c, al, 0x80, (cf !== 0 ? CF : 0) | (af !== 0 ? AF : 0));
}

export function das(c: CPU): void {
  const old = c.reg8[0];
  const oldCf = getCF(c);
  let al = old;
  let cf = 0;
  let af = 0;
  if ((al & 0x0f) > 9 || getAF(c) !== 0) {
    cf = oldCf | (al < 6 ? 1 : 0);
    al = (al - 6) & 0xff;
    af = 1;
  }
  if (old > 0x99 || oldCf !== 0) {
    al = (al - 0x60) & 0xff;
    cf = 1;
  }
  c.reg8[0] = al;
  setSzp(c, al, 0x80, (cf !== 0 ? CF : 0) | (af !== 0 ? AF : 0));
}

export function aaa(c: CPU): void {
  let adj = 0;
  if ((c.reg8[0] & 0x0f) > 9 || getAF(c) !== 0) {
    c.reg16[0] = c.reg16[0] + 0x106;
    adj = CF | AF;
  }
  c.reg8[0] &= 0x0f;
  setSzp(c, c.reg8[0], 0x80, adj);
}

export function aas(c: CPU): void {
  let adj = 0;
  if ((c.reg8[0] & 0x0f) > 9 || getAF(c) !== 0) {
    c.reg16[0] = c.reg16[0] - 6;
    c.reg8[1] = c.reg8[1] - 1;
    adj = CF | AF;
  }
  c.reg8[0] &= 0x0f;
  setSzp(c, c.reg8[0], 0x80, adj);
}

/** AAM imm8: AH = AL / imm, AL = AL % imm; #DE when imm is 0. */
export function aam(c: CPU, base: number): void {
  if (base === 0) c.fault(Vec.DE);
  const al = c.reg8[0];
  c.reg8[1] = Math.floor(al / base);
  c.reg8[0] = al % base;
  setSzp(c, c.reg8[0], 0x80, 0);
}

/** AAD imm8: AL = AL + AH * imm, AH = 0. */
export function aad(c: CPU, base: number): void {
  const al = (c.reg8[0] + c.reg8[1] * base) & 0xff;
  c.reg16[0] = al;
  setSzp(c, al, 0x80, 0);
}
