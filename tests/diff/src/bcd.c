/* BCD adjust group: daa das aaa aas over every AL with every CF/AF input, aam and aad
 * with bases 10, 16, 7, 255 (and 1 / 0 where legal). Lines are "ax flags_in > ax flags_out".
 * Masks (the manual's undefined flags): DAA/DAS OF; AAA/AAS OF SF ZF PF; AAM/AAD OF AF CF.
 * AAA/AAS: the 486 manual writes "AL <- AL+6; AH <- AH+1" (and AL-6 / AH-1) while current
 * CPUs (this host) add 0106h to / subtract 6 from the whole AX; the two differ only when
 * the adjustment carries out of AL (AL >= FAh for AAA, AL < 6 for AAS), where AH is printed
 * as "--" instead of compared. */
#include "rt.h"

static const u32 fcomb[] = {0, CF, AF, CF | AF};

#define ADJ(NAME, INSN)                                                                 \
  static u32 NAME(u32 ax, u32 fi, u32 *fo) {                                            \
    u32 f;                                                                              \
    __asm__ volatile("pushl %[fi]\n\tpopfl\n\t" INSN "\n\tpushfl\n\tpopl %[f]"          \
                     : "+a"(ax), [f] "=&r"(f) : [fi] "r"(fi) : "cc");                   \
    *fo = f;                                                                            \
    return ax;                                                                          \
  }
ADJ(daa, "daa")
ADJ(das, "das")
ADJ(aaa, "aaa")
ADJ(aas, "aas")
ADJ(aam10, ".byte 0xd4, 10")
ADJ(aam16, ".byte 0xd4, 16")
ADJ(aam7, ".byte 0xd4, 7")
ADJ(aam255, ".byte 0xd4, 255")
ADJ(aam1, ".byte 0xd4, 1")
ADJ(aad10, ".byte 0xd5, 10")
ADJ(aad16, ".byte 0xd5, 16")
ADJ(aad7, ".byte 0xd5, 7")
ADJ(aad255, ".byte 0xd5, 255")
ADJ(aad0, ".byte 0xd5, 0")

enum { K_DAA, K_AAA, K_AAS };

static void sweep(const char *name, u32 (*fn)(u32, u32, u32 *), int kind) {
  section(name);
  for (u32 al = 0; al < 256; al++)
    for (u32 k = 0; k < 4; k++) {
      u32 fo, ax = ((al ^ 0xa5) << 8) | al, fi = fcomb[k];
      u32 r = fn(ax, fi, &fo) & 0xffff;
      hx(ax, 4);
      fl(fi, ARITH);
      ps(" >");
      int adjust = (al & 15) > 9 || (fi & AF);
      if ((kind == K_AAA && adjust && al >= 0xfa) || (kind == K_AAS && adjust && al < 6)) {
        ps(" --");
        hx(r & 0xff, 2);
      } else {
        hxs(r, 4);
      }
      fl(fo, kind == K_DAA ? (ARITH & ~OF) : (AF | CF));
      nl();
    }
}

static void aam(const char *name, u32 (*fn)(u32, u32, u32 *)) {
  section(name);
  for (u32 al = 0; al < 256; al++)
    for (u32 k = 0; k < 2; k++) {
      u32 fo, ax = 0x5a00 | al, fi = k ? ARITH : 0;
      u32 r = fn(ax, fi, &fo) & 0xffff;
      hx(ax, 4); fl(fi, ARITH); ps(" >"); hxs(r, 4); fl(fo, SF | ZF | PF); nl();
    }
}
static const u32 ahs[] = {0, 1, 9, 0x80, 0xff};
static void aad(const char *name, u32 (*fn)(u32, u32, u32 *)) {
  section(name);
  for (u32 h = 0; h < N(ahs); h++)
    for (u32 al = 0; al < 256; al += 5)
      for (u32 k = 0; k < 2; k++) {
        u32 fo, ax = (ahs[h] << 8) | al, fi = k ? ARITH : 0;
        u32 r = fn(ax, fi, &fo) & 0xffff;
        hx(ax, 4); fl(fi, ARITH); ps(" >"); hxs(r, 4); fl(fo, SF | ZF | PF); nl();
      }
}

int main(void) {
  sweep("daa", daa, K_DAA);
  sweep("das", das, K_DAA);
  sweep("aaa", aaa, K_AAA);
  sweep("aas", aas, K_AAS);
  aam("aam 10", aam10);
  aam("aam 16", aam16);
  aam("aam 7", aam7);
  aam("aam 255", aam255);
  aam("aam 1", aam1);
  aad("aad 10", aad10);
  aad("aad 16", aad16);
  aad("aad 7", aad7);
  aad("aad 255", aad255);
  aad("aad 0", aad0);
  return 0;
}
