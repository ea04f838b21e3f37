// Signal numbers, default actions and the 64-bit signal sets of Linux/i386,
// kept as two 32-bit words so the return-to-user check allocates nothing.

export const enum Sig {
  SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7, SIGFPE = 8,
  SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13, SIGALRM = 14, SIGTERM = 15,
  SIGSTKFLT = 16, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22,
  SIGURG = 23, SIGXCPU = 24, SIGXFSZ = 25, SIGVTALRM = 26, SIGPROF = 27, SIGWINCH = 28, SIGIO = 29,
  SIGPWR = 30, SIGSYS = 31, SIGRTMIN = 32,
}
export const NSIG = 64;

export const SIG_DFL = 0;
export const SIG_IGN = 1;

export const SA_NOCLDSTOP = 0x1, SA_NOCLDWAIT = 0x2, SA_SIGINFO = 0x4, SA_ONSTACK = 0x08000000;
export const SA_RESTART = 0x10000000, SA_NODEFER = 0x40000000, SA_RESETHAND = 0x80000000, SA_RESTORER = 0x04000000;

export const SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;

/** si_code values the kernel produces. */
export const SI_USER = 0, SI_KERNEL = 0x80, SI_TKILL = -6;
export const SEGV_MAPERR = 1, SEGV_ACCERR = 2, BUS_ADRERR = 2, ILL_ILLOPN = 2, ILL_BADSTK = 8, FPE_INTDIV = 1, TRAP_BRKPT = 1, TRAP_TRACE = 2;
export const FPE_FLTDIV = 3, FPE_FLTOVF = 4, FPE_FLTUND = 5, FPE_FLTRES = 6, FPE_FLTINV = 7;
export const CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3, CLD_TRAPPED = 4, CLD_STOPPED = 5, CLD_CONTINUED = 6;

export const enum DefaultAction { Term, Ignore, Core, Stop, Cont }

/** What a signal does when its handler is SIG_DFL (signal(7)). */
export function defaultAction(sig: number): DefaultAction {
  switch (sig) {
    case Sig.SIGCHLD: case Sig.SIGURG: case Sig.SIGWINCH:
      return DefaultAction.Ignore;
    case Sig.SIGCONT:
      return DefaultAction.Cont;
    case Sig.SIGSTOP: case Sig.SIGTSTP: case Sig.SIGTTIN: case Sig.SIGTTOU:
      return DefaultAction.Stop;
    case Sig.SIGQUIT: case Sig.SIGILL: case Sig.SIGTRAP: case Sig.SIGABRT: case Sig.SIGBUS: case Sig.SIGFPE:
    case Sig.SIGSEGV: case Sig.SIGXCPU: case Sig.SIGXFSZ: case Sig.SIGSYS:
      return DefaultAction.Core;
    default:
      return DefaultAction.Term;
  }
}

/** A 64-signal set: bit (sig-1) of lo for 1..32, of hi for 33..64. */
export class SigSet {
  lo = 0;
  hi = 0;

  has(sig: number): boolean {
    return sig <= 32 ? ((this.lo >>> (sig - 1)) & 1) !== 0 : ((this.hi >>> (sig - 33)) & 1) !== 0;
  }
  add(sig: number): void {
    if (sig <= 32) this.lo = (this.lo | (1 << (sig - 1))) >>> 0;
    else this.hi = (this.hi | (1 << (sig - 33))) >>> 0;
  }
  del(sig: number): void {
    if (sig <= 32) this.lo = (this.lo & ~(1 << (sig - 1))) >>> 0;
    else this.hi = (this.hi & ~(1 << (sig - 33))) >>> 0;
  }
  set(lo: number, hi: number): void {
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }
  copyFrom(o: SigSet): void {
    this.lo = o.lo;
    this.hi = o.hi;
  }
  isEmpty(): boolean {
    return this.lo === 0 && this.hi === 0;
  }
  /** Lowest signal in this set and not in `mask`, or 0. */
  firstNotIn(mask: SigSet): number {
    const lo = (this.lo & ~mask.lo) >>> 0;
    if (lo !== 0) return 32 - Math.clz32(lo & -lo);
    const hi = (this.hi & ~mask.hi) >>> 0;
    if (hi !== 0) return 32 + 32 - Math.clz32(hi & -hi);
    return 0;
  }
}

/** SIGKILL and SIGSTOP can be neither caught, blocked nor ignored. */
export function sigUnblockable(sig: number): boolean {
  return sig === Sig.SIGKILL || sig === Sig.SIGSTOP;
}

/** struct k_sigaction as the kernel keeps it. */
export interface SigAction {
  handler: number; // SIG_DFL, SIG_IGN or a user address
  flags: number;
  restorer: number;
  mask: SigSet;
}

/** The handler table, shared between CLONE_SIGHAND clones. */
export class SigHand {
  readonly action: SigAction[] = [];
  refs = 1;
  constructor() {
    for (let i = 0; i <= NSIG; i++) this.action.push({ handler: SIG_DFL, flags: 0, restorer: 0, mask: new SigSet() });
  }
  clone(): SigHand {
    const h = new SigHand();
    for (let i = 0; i <= NSIG; i++) {
      const a = this.action[i];
      h.action[i] = { handler: a.handler, flags: a.flags, restorer: a.restorer, mask: new SigSet() };
      h.action[i].mask.copyFrom(a.mask);
    }
    return h;
  }
}

/** Information recorded with a pending signal (the fields of siginfo_t the kernel fills). */
export interface SigInfo {
  signo: number;
  code: number;
  pid: number;
  uid: number;
  addr: number; // SIGSEGV/SIGBUS/SIGILL/SIGFPE fault address
  status: number; // SIGCHLD
  /** Raised by forceSignal for a fault: fatal even to init, as on Linux. */
  forced?: boolean;
}
