// The trap frame the entry stubs build on the kernel stack, lowest address
// first. The CPU pushes EIP CS EFLAGS (and ESP SS when it came from ring 3)
// and sometimes an error code; the stub pushes a zero error code where the CPU
// did not, the vector, the general registers with PUSHA, then DS ES FS GS.
// Segment registers occupy dwords of which only the low 16 bits are defined
// (a 32-bit PUSH of a segment register writes 16 bits on later CPUs).

export const enum Tf {
  GS = 0, FS = 4, ES = 8, DS = 12,
  EDI = 16, ESI = 20, EBP = 24, ESP_PUSHA = 28, EBX = 32, EDX = 36, ECX = 40, EAX = 44,
  VECTOR = 48, ERROR = 52,
  EIP = 56, CS = 60, EFLAGS = 64,
  /** Present only when the trap came from ring 3 (CS & 3) or from v86 mode. */
  USER_ESP = 68, USER_SS = 72,
}

/** EFLAGS' I/O privilege level field (bits 12-13). */
export const EFLAGS_IOPL = 0x3000;

/** Bytes of a frame from ring 3. */
export const TRAP_FRAME_USER_SIZE = 76;
/** Bytes of a frame from ring 0 (no stack switch). */
export const TRAP_FRAME_KERNEL_SIZE = 68;
