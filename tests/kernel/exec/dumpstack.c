/* Prints the initial process stack as Linux built it: "esp top" in hex, then
   the bytes from esp to the top of the stack in hex, one line. No libc. */
typedef unsigned int u32;

__asm__(".globl _start\n_start:\n  mov %esp, %eax\n  push %eax\n  call dump\n");

static void sys_write(const char *p, u32 n) {
  int r;
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(4), "b"(1), "c"(p), "d"(n) : "memory");
}
static void sys_exit(int code) {
  __asm__ volatile("int $0x80" : : "a"(1), "b"(code));
  for (;;) {}
}

static char buf[1 << 20];
static u32 len;
static void hex(u32 v, int digits) {
  for (int i = digits - 1; i >= 0; i--) buf[len++] = "0123456789abcdef"[(v >> (4 * i)) & 15];
}

void dump(u32 *esp) {
  u32 argc = esp[0];
  u32 *p = esp + 1 + argc + 1;
  while (*p) p++;
  p++;
  const char *execfn = 0;
  for (; p[0] != 0; p += 2)
    if (p[0] == 31) execfn = (const char *)p[1];
  if (!execfn) sys_exit(2);
  const char *e = execfn;
  while (*e) e++;
  u32 top = ((u32)e + 1 + 4095) & ~4095u;
  hex((u32)esp, 8);
  buf[len++] = ' ';
  hex(top, 8);
  buf[len++] = '\n';
  for (const unsigned char *b = (const unsigned char *)esp; (u32)b < top; b++) hex(*b, 2);
  buf[len++] = '\n';
  sys_write(buf, len);
  sys_exit(0);
}
