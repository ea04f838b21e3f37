/* String group: movs cmps scas lods stos in byte/word/dword, without prefix, with rep,
 * repe and repne, DF clear and set, counts 0, 1 and 5; a segment override on the source;
 * and 16-bit address size (prefix 67h: SI, DI and CX only, wrapping at 64 KiB). The 16-bit
 * cases need a segment whose base is a 64 KiB buffer: the program gets one from
 * set_thread_area(2) and loads it into ES and FS. Lines print ESI/EDI as offsets from the
 * buffer starts, ECX, EAX, the flags (ARITH and DF) and the destination bytes. */
#include "rt.h"

static u8 sbuf[64], dbuf[64];
static u8 seg[65536 + 16] __attribute__((aligned(4096))); /* +16: a dword at offset FFFFh runs past 64 KiB */

static void fill(void) {
  for (u32 i = 0; i < 64; i++) {
    sbuf[i] = (u8)(0x40 + i);
    dbuf[i] = (u8)(0x40 + i);
  }
  dbuf[20] = 0x11; /* first difference (cmps) seen going up from 16 */
  dbuf[13] = 0x22; /* and going down from 17 */
}

#define DFL 0x400
#define STR(NAME, INSN)                                                                         \
  static void NAME(u32 *si, u32 *di, u32 *cx, u32 *ax, u32 *f) {                                \
    u32 S = *si, D = *di, C = *cx, A = *ax, F = *f;                                             \
    __asm__ volatile("pushl %[F]\n\tpopfl\n\t" INSN "\n\tpushfl\n\tpopl %[F]\n\tcld"            \
                     : "+S"(S), "+D"(D), "+c"(C), "+a"(A), [F] "+r"(F) : : "cc", "memory");     \
    *si = S; *di = D; *cx = C; *ax = A; *f = F;                                                 \
  }
STR(movsb, "movsb") STR(movsw, "movsw") STR(movsl, "movsl")
STR(rmovsb, "rep movsb") STR(rmovsw, "rep movsw") STR(rmovsl, "rep movsl")
STR(cmpsb, "cmpsb") STR(cmpsw, "cmpsw") STR(cmpsl, "cmpsl")
STR(ecmpsb, "repe cmpsb") STR(ecmpsw, "repe cmpsw") STR(ecmpsl, "repe cmpsl")
STR(ncmpsb, "repne cmpsb") STR(ncmpsw, "repne cmpsw") STR(ncmpsl, "repne cmpsl")
STR(scasb, "scasb") STR(scasw, "scasw") STR(scasl, "scasl")
STR(escasb, "repe scasb") STR(escasw, "repe scasw") STR(escasl, "repe scasl")
STR(nscasb, "repne scasb") STR(nscasw, "repne scasw") STR(nscasl, "repne scasl")
STR(lodsb, "lodsb") STR(lodsw, "lodsw") STR(lodsl, "lodsl")
STR(rlodsb, "rep lodsb") STR(rlodsw, "rep lodsw") STR(rlodsl, "rep lodsl")
STR(stosb, "stosb") STR(stosw, "stosw") STR(stosl, "stosl")
STR(rstosb, "rep stosb") STR(rstosw, "rep stosw") STR(rstosl, "rep stosl")

typedef void (*strfn)(u32 *, u32 *, u32 *, u32 *, u32 *);
static const u32 cnts[] = {0, 1, 5};
static const u32 fins[] = {0, ARITH};

static void run(const char *label, strfn fn) {
  section(label);
  for (u32 d = 0; d < 2; d++)
    for (u32 c = 0; c < N(cnts); c++)
      for (u32 k = 0; k < 2; k++) {
        fill();
        u32 start = d ? 17 : 16;
        u32 si = (u32)&sbuf[start], di = (u32)&dbuf[start], cx = cnts[c], ax = 0x12345652, f = fins[k] | (d ? DFL : 0);
        fn(&si, &di, &cx, &ax, &f);
        hx(d, 1); hxs(cnts[c], 1); fl(fins[k], ARITH); ps(" >");
        hxs(si - (u32)sbuf, 8); hxs(di - (u32)dbuf, 8); hxs(cx, 8); hxs(ax, 8); fl(f, ARITH | DFL);
        pc(' ');
        for (u32 i = 0; i < 64; i++) hx(dbuf[i], 2);
        nl();
      }
}

/* Source through FS (base = sbuf - 0x1000 via the TLS segment), destination ES (flat). */
static u32 tls_sel;
static void movs_fs(void) {
  section("movsl fs:esi override");
  fill();
  u32 si = 0x1000 + 8, di = (u32)&dbuf[0], cx = 3;
  __asm__ volatile("pushl %%fs\n\tmovl %[sel], %%eax\n\tmovw %%ax, %%fs\n\trep movsl %%fs:(%%esi), %%es:(%%edi)\n\tpopl %%fs"
                   : "+S"(si), "+D"(di), "+c"(cx) : [sel] "m"(tls_sel) : "eax", "memory");
  hx(si, 8); hxs(di - (u32)dbuf, 8); hxs(cx, 8); pc(' ');
  for (u32 i = 0; i < 16; i++) hx(dbuf[i], 2);
  nl();
}

/* 16-bit address size: ES and FS = the TLS segment (base = seg). */
#define STR16(NAME, INSN)                                                                          \
  static void NAME(u32 *si, u32 *di, u32 *cx, u32 *ax, u32 *f) {                                   \
    u32 S = *si, D = *di, C = *cx, A = *ax, F = *f;                                                \
    __asm__ volatile("pushl %%es\n\tpushl %%fs\n\tpushl %[sel]\n\tpopl %%es\n\tpushl %[sel]\n\tpopl %%fs\n\t" \
                     "pushl %[F]\n\tpopfl\n\t.byte 0x67, 0x64\n\t" INSN "\n\tpushfl\n\tpopl %[F]\n\tcld\n\t" \
                     "popl %%fs\n\tpopl %%es"                                                      \
                     : "+S"(S), "+D"(D), "+c"(C), "+a"(A), [F] "+r"(F) : [sel] "m"(tls_sel) : "cc", "memory"); \
    *si = S; *di = D; *cx = C; *ax = A; *f = F;                                                    \
  }
STR16(a16movsb, "rep movsb") STR16(a16movsl, "rep movsl") STR16(a16cmpsw, "repe cmpsw")
STR16(a16scasb, "repne scasb") STR16(a16lodsw, "lodsw") STR16(a16stosl, "rep stosl")

static void run16(const char *label, strfn fn) {
  static const u32 sis[] = {0xabcdfff8, 0x00000010, 0x5555fffe};
  static const u32 dis[] = {0x12340100, 0xfffe0004, 0x0000ffff};
  section(label);
  for (u32 d = 0; d < 2; d++)
    for (u32 p = 0; p < N(sis); p++) {
      for (u32 i = 0; i < 65536; i += 4) *(u32 *)&seg[i] = 0x01010101u * ((i >> 2) & 0xff) ^ 0x80402010u;
      u32 si = sis[p], di = dis[p], cx = 0x77770006, ax = 0x33333333, f = d ? DFL : 0;
      seg[(u16)(di + 2)] = 0x33; /* something for repne scasb to find */
      fn(&si, &di, &cx, &ax, &f);
      hx(d, 1); hxs(sis[p], 8); hxs(dis[p], 8); ps(" >");
      hxs(si, 8); hxs(di, 8); hxs(cx, 8); hxs(ax, 8); fl(f, ARITH | DFL); pc(' ');
      for (u32 i = 0xffe0; i < 0x10000; i++) hx(seg[i], 2);
      pc(' ');
      for (u32 i = 0; i < 0x20; i++) hx(seg[i], 2);
      pc(' ');
      for (u32 i = 0xf0; i < 0x110; i++) hx(seg[i], 2);
      nl();
    }
}

struct user_desc {
  u32 entry_number, base_addr, limit, flags;
};

int main(void) {
  run("movsb", movsb); run("movsw", movsw); run("movsl", movsl);
  run("rep movsb", rmovsb); run("rep movsw", rmovsw); run("rep movsl", rmovsl);
  run("cmpsb", cmpsb); run("cmpsw", cmpsw); run("cmpsl", cmpsl);
  run("repe cmpsb", ecmpsb); run("repe cmpsw", ecmpsw); run("repe cmpsl", ecmpsl);
  run("repne cmpsb", ncmpsb); run("repne cmpsw", ncmpsw); run("repne cmpsl", ncmpsl);
  run("scasb", scasb); run("scasw", scasw); run("scasl", scasl);
  run("repe scasb", escasb); run("repe scasw", escasw); run("repe scasl", escasl);
  run("repne scasb", nscasb); run("repne scasw", nscasw); run("repne scasl", nscasl);
  run("lodsb", lodsb); run("lodsw", lodsw); run("lodsl", lodsl);
  run("rep lodsb", rlodsb); run("rep lodsw", rlodsw); run("rep lodsl", rlodsl);
  run("stosb", stosb); run("stosw", stosw); run("stosl", stosl);
  run("rep stosb", rstosb); run("rep stosw", rstosw); run("rep stosl", rstosl);

  /* 32-bit flat data segment, base seg, limit 4 GiB, usable. */
  struct user_desc ud = {0xffffffff, (u32)seg, 0xfffff, 0x51};
  int r = sys3(243, (int)&ud, 0, 0);
  section("set_thread_area");
  if (r != 0) { ps("failed\n"); return 1; }
  ps("ok\n");
  tls_sel = ud.entry_number * 8 + 3;
  *(u32 *)&seg[0x1000 + 8] = 0xfeedface;
  ud.base_addr = (u32)sbuf - 0x1000;
  sys3(243, (int)&ud, 0, 0); /* same entry, new base: the source segment for movs_fs */
  movs_fs();
  ud.base_addr = (u32)seg;
  sys3(243, (int)&ud, 0, 0);
  run16("a16 rep movsb", a16movsb);
  run16("a16 rep movsl", a16movsl);
  run16("a16 repe cmpsw", a16cmpsw);
  run16("a16 repne scasb", a16scasb);
  run16("a16 lodsw", a16lodsw);
  run16("a16 rep stosl", a16stosl);
  return 0;
}
