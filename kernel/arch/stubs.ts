// The x86 code the kernel writes into guest memory at boot: one entry stub
// per IDT vector, the common entry/exit path that makes the hypercall into the
// TypeScript kernel, and the idle loop. Hand-assembled; each instruction is
// listed with its bytes so the listing can be checked against a disassembler.

import { HYPERCALL_PORT, KERNEL_DS, STUBS_PA } from "./layout.ts";
import { Tf } from "./trapframe.ts";

/** Vectors for which the CPU pushes an error code itself. */
export function hasErrorCode(vector: number): boolean {
  return vector === 8 || (vector >= 10 && vector <= 14) || vector === 17;
}

/** Each vector's entry stub is 16 bytes: stub v starts at STUBS_PA + 16 * v. */
export const STUB_SIZE = 16;
export const COMMON_PA = STUBS_PA + 256 * STUB_SIZE;

/**
 * An instruction of the exit path that loads a value the user chose and so may fault at
 * CPL 0 (Linux's exception table for RESTORE_REGS and the IRET in entry_32.S): a segment
 * register pop, or the IRET that loads CS and SS. `slot` is the trap-frame offset ESP
 * points at when it runs, which locates the user frame under the fault.
 */
export interface ExitFixup {
  pa: number;
  slot: Tf;
  kind: "segment" | "iret";
}

export interface StubImage {
  /** Bytes to write at STUBS_PA. */
  image: Uint8Array;
  /** The instruction after the hypercall: restoring a frame starts here (a task's first entry). */
  resumePa: number;
  /** The idle loop (ring 0: sti; hlt; jmp). */
  idlePa: number;
  /** The exit path's instructions that may fault on a user's selector. */
  exitFixups: ExitFixup[];
}

/** Builds the stub area: per-vector stubs, the common path and the idle loop. */
export function buildStubs(): StubImage {
  const code: number[] = [];
  for (let v = 0; v < 256; v++) {
    const start = code.length;
    if (!hasErrorCode(v)) code.push(0x6a, 0x00); // push 0 (no error code)
    code.push(0x68, v, 0, 0, 0); // push dword vector
    const jmpEnd = STUBS_PA + code.length + 5;
    code.push(0xe9, ...le32(COMMON_PA - jmpEnd)); // jmp common
    while (code.length < start + STUB_SIZE) code.push(0xcc); // int3 padding
  }
  const common = [
    0x60, //                    pusha
    0x1e, //                    push ds
    0x06, //                    push es
    0x0f, 0xa0, //              push fs
    0x0f, 0xa8, //              push gs
    0xb8, ...le32(KERNEL_DS), // mov eax, KERNEL_DS
    0x8e, 0xd8, //              mov ds, eax
    0x8e, 0xc0, //              mov es, eax
    0x89, 0xe0, //              mov eax, esp        ; the trap frame
    0xba, ...le32(HYPERCALL_PORT), // mov edx, HYPERCALL_PORT
    0xef, //                    out dx, eax         ; enter the TS kernel
  ];
  const resumeOffset = common.length;
  const exitFixups: ExitFixup[] = [];
  const fixup = (slot: Tf, kind: ExitFixup["kind"]) => exitFixups.push({ pa: COMMON_PA + common.length, slot, kind });
  fixup(Tf.GS, "segment");
  common.push(0x0f, 0xa9); //   pop gs
  fixup(Tf.FS, "segment");
  common.push(0x0f, 0xa1); //   pop fs
  fixup(Tf.ES, "segment");
  common.push(0x07); //         pop es
  fixup(Tf.DS, "segment");
  common.push(
    0x1f, //                    pop ds
    0x61, //                    popa
    0x83, 0xc4, 0x08, //        add esp, 8          ; vector and error code
  );
  fixup(Tf.EIP, "iret");
  common.push(0xcf); //         iret
  code.push(...common);
  const resumePa = COMMON_PA + resumeOffset;
  while (code.length % 16 !== 0) code.push(0xcc);
  const idlePa = STUBS_PA + code.length;
  code.push(
    0xfb, //                    sti
    0xf4, //                    hlt
    0xeb, 0xfc, //              jmp idle
  );
  return { image: Uint8Array.from(code), resumePa, idlePa, exitFixups };
}

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}
