// A broken kernel invariant. The kernel never recovers from a panic; the
// machine layer reports it and stops the guest.

export class KernelPanic extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KernelPanic";
  }
}

/** Stops the kernel: msg is "fnName: what went wrong". Never returns. */
export function panic(msg: string): never {
  throw new KernelPanic(msg);
}
