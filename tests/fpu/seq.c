/* Native runner for the x87 sequence differential suite (tests/fpu/sequences.test.ts): runs the
 * same machine code vmalab runs, on this x86_64 host's x87. Each case is CODE bytes of 32-bit
 * code that addresses memory only as [ebx+disp] and uses no instruction whose encoding differs
 * in 64-bit mode, so the bytes mean the same here with rbx pointing at the case's DATA buffer.
 * The code ends with RET. A SIGFPE (#MF) ends the case early: the handler records the offset of
 * the faulting instruction and the x87 control, status and abridged tag words the kernel saved.
 * Input on stdin: u32 count, then count records of CODE bytes of code and DATA bytes of data;
 * output on stdout: the DATA bytes of each record after the run.
 * Build: clang -O1 -mno-red-zone -o seq seq.c */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#define CODE 256
#define DATA 2048
#define FAULT_AT 0x7f0 /* u32 fault offset + 1 (0: no fault), u16 cw, u16 sw, u16 abridged tag */

static unsigned char *code;
static unsigned char data[DATA] __attribute__((aligned(16)));
static sigjmp_buf jb;

static void onfpe(int sig, siginfo_t *si, void *ctx) {
  ucontext_t *uc = ctx;
  uint32_t off = (uint32_t)(uc->uc_mcontext.gregs[REG_RIP] - (uintptr_t)code) + 1;
  memcpy(data + FAULT_AT, &off, 4);
  memcpy(data + FAULT_AT + 4, &uc->uc_mcontext.fpregs->cwd, 2);
  memcpy(data + FAULT_AT + 6, &uc->uc_mcontext.fpregs->swd, 2);
  memcpy(data + FAULT_AT + 8, &uc->uc_mcontext.fpregs->ftw, 2);
  (void)sig;
  (void)si;
  siglongjmp(jb, 1);
}

int main(void) {
  code = mmap(0, CODE, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (code == MAP_FAILED) return 2;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = onfpe;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGFPE, &sa, 0);
  uint32_t n;
  if (fread(&n, 4, 1, stdin) != 1) return 2;
  for (uint32_t i = 0; i < n; i++) {
    if (fread(code, CODE, 1, stdin) != 1 || fread(data, DATA, 1, stdin) != 1) return 2;
    if (sigsetjmp(jb, 1) == 0) {
      __asm__ volatile("mov %0, %%rbx\n\tcall *%1"
                       :
                       : "r"(data), "r"(code)
                       : "memory", "cc", "rax", "rbx", "rcx", "rdx", "rsi", "rdi");
    }
    __asm__ volatile("fninit");
    fwrite(data, DATA, 1, stdout);
  }
  return 0;
}
