// task_struct: one schedulable thread of a process. Threads of one process
// (CLONE_THREAD) share tgid; CLONE_VM clones share an Mm, CLONE_FILES an
// FdTable, CLONE_FS an FsContext, CLONE_SIGHAND the handler table.

import type { Mm, MmLimits } from "../mm/mm.ts";
import type { Kernel } from "../kernel.ts";
import type { FdTable } from "../fs/fdtable.ts";
import type { FsCaller, FsContext } from "../fs/fscontext.ts";
import type { Waiter } from "../wait.ts";
import { WaitQueue } from "../wait.ts";
import { SigHand, SigSet, type SigInfo } from "../signal/signals.ts";
import { FutexState } from "./futex.ts";
import { TaskCaller } from "./task-caller.ts";

export const enum TaskState {
  Runnable = 0,
  Sleeping = 1,
  Stopped = 2,
  Zombie = 3,
  Dead = 4,
}

/** Resource limits (soft, hard), Linux's RLIMIT_* order. */
export const enum Rlimit {
  CPU = 0, FSIZE = 1, DATA = 2, STACK = 3, CORE = 4, RSS = 5, NPROC = 6, NOFILE = 7, MEMLOCK = 8, AS = 9,
  LOCKS = 10, SIGPENDING = 11, MSGQUEUE = 12, NICE = 13, RTPRIO = 14, RTTIME = 15, NLIMITS = 16,
}
export const RLIM_INFINITY = Infinity;

/** The soft limits the mm enforces (RLIMIT_AS, DATA, STACK), read from a task's rlimits. */
export function mmLimitsOf(rlim: readonly (readonly number[])[]): MmLimits {
  return { as: rlim[Rlimit.AS][0], data: rlim[Rlimit.DATA][0], stack: rlim[Rlimit.STACK][0] };
}

/** A nanosleep/clock_nanosleep in progress, kept across the retries of the call (Linux restart_block.nanosleep). */
export interface Nanosleep {
  /** Deadline in guest cycles. */
  deadline: number;
  /** The call's arguments: a restarted call with the same ones is the same sleep. */
  reqVa: number;
  remVa: number;
  clk: number;
  abs: boolean;
  time64: boolean;
}

/** A blocked poll/select: its deadline (guest cycles, Infinity = none) and the jiffy its timer is armed for (-1: none). */
export interface PollWait {
  deadline: number;
  timerArmed: number;
}

/** One interval timer (setitimer). */
export interface Itimer {
  /** Next expiry in guest cycles (0 = disarmed) and the reload interval in cycles. */
  value: number;
  interval: number;
  /** Bumped on every set: a timer armed for an older setting does nothing. */
  gen: number;
}

/** The scheduler side of Task.wake (Kernel.wakeUp). */
export interface Waker {
  wakeUp(t: Task): void;
}

export class Task implements Waiter {
  state = TaskState.Runnable;
  /** Kernel linear address of this task's saved trap frame (its kernel stack pointer). */
  ksp = 0;
  /** Physical address of the kernel stack frame and the linear address of its top (TSS.esp0). */
  kstackPa = 0;
  kstackTop = 0;

  tgid: number;
  parent: Task | null = null;
  /** The process (thread-group leader) whose children these are. */
  readonly children = new Set<Task>();
  pgid = 0;
  sid = 0;
  comm = "";
  /** argv as the kernel saw it at exec, for /proc/PID/cmdline. */
  cmdline = new Uint8Array(0);
  exePath = "";

  mm: Mm | null = null;
  files: FdTable | null = null;
  fs: FsContext | null = null;

  sighand = new SigHand();
  readonly blocked = new SigSet();
  readonly pending = new SigSet();
  readonly pendingInfo: (SigInfo | undefined)[] = [];
  /** The mask to restore after a handler run from sigsuspend (Linux saved_sigmask). */
  savedMask: SigSet | null = null;
  /** Set while the frame's EIP points back at the INT 0x80 of a syscall that blocked. */
  syscallRestart = false;
  /** Signal number that ended or stopped the task, and the wait status to report. */
  exitCode = 0;
  exitSignal = 17; // SIGCHLD to the parent on exit
  /** A stop or continue to report to wait4 (WUNTRACED / WCONTINUED), 0 if none. */
  stopReport = 0;
  /** Children's state changes wake this queue (wait4 sleeps on it). */
  readonly childWait = new WaitQueue();
  /** A vfork child: the parent sleeps until this one execs or exits. */
  vforkDone: WaitQueue | null = null;
  clearChildTid = 0;
  /** Three TLS descriptors (GDT entries 6-8) as [low, high] dword pairs. */
  readonly tls = new Int32Array(6);
  /** Deadline (guest cycles) of an interrupted nanosleep being retried, or 0. */
  sleepUntil = 0;
  /** Futex this task sleeps on (physical address key), or -1. */
  futexKey = -1;
  /** Where this task's FUTEX_WAIT stands (waiting, woken, timed out) for the retry of the call. */
  futexState = FutexState.None;
  /** The nanosleep being retried (Linux restart_block.nanosleep), or null. */
  nanosleep: Nanosleep | null = null;
  /**
   * What ends the call being retried when a signal handler interrupts it,
   * returning its result (nanosleep writes the time left): Linux's
   * restart_block.fn, a named function (kernel/named.ts); null when none.
   */
  restartFn: ((k: Kernel, t: Task) => number) | null = null;
  /** The poll/select being retried (its deadline), or null. */
  pollWait: PollWait | null = null;
  /** Deadline (guest cycles) of the last poll/select that completed, for select's time-left report; 0 if none. */
  pollLastDeadline = 0;
  /** ITIMER_REAL, VIRTUAL, PROF (Linux signal->it, real_timer): only the thread-group leader's are used; fork does not inherit them. */
  readonly itimers: Itimer[] = [0, 1, 2].map(() => ({ value: 0, interval: 0, gen: 0 }));
  /** The alternate signal stack (Linux sas_ss_sp, sas_ss_size, sas_ss_flags); size 0 = disabled. */
  sasSsSp = 0;
  sasSsSize = 0;
  sasSsFlags = 0;
  /** ptrace: the tracing task, or null (Linux task->parent while PT_PTRACED; `parent` stays the real one). */
  tracer: Task | null = null;
  /** ptrace: the signal of the current signal-delivery stop (Linux last_siginfo), else null. */
  ptraceSiginfo: SigInfo | null = null;
  /** ptrace: the signal the tracer resumed the stop with (Linux exit_code), -1 while it has not. */
  ptraceResumeSig = -1;
  /** ptrace: the tasks this one traces (Linux ptraced list). */
  readonly ptraced = new Set<Task>();

  uid = 0; euid = 0; suid = 0; gid = 0; egid = 0; sgid = 0;
  /** Nice value, -20..19 (setpriority; the scheduler ignores it); fork copies it, as Linux does. */
  nice = 0;
  /** Supplementary groups (Linux cred->group_info, setgroups32); fork copies them. */
  groupInfo: number[] = [];
  /** What the VFS and drivers see of this task as their caller; its fields read the task live. */
  readonly fsCaller: FsCaller = new TaskCaller(this);
  readonly rlim: number[][];
  /** Guest cycles spent in user and kernel mode, and the cycle of creation. */
  utime = 0;
  stime = 0;
  /** CPU time (guest cycles) of reaped children and their descendants (Linux signal->cutime, cstime). */
  cutime = 0;
  cstime = 0;
  startCycles = 0;
  /** Wakeups by kind for /proc (voluntary, involuntary context switches). */
  nvcsw = 0;
  nivcsw = 0;
  minFlt = 0;
  majFlt = 0;
  /** Peak resident set (kB) of the mm it left at exit, for wait4's ru_maxrss (Linux's signal->maxrss). */
  maxRssKb = 0;
  /** The task's FPU state (FNSAVE image) while another task's is in the FPU; null: never used, FNINIT state. */
  fpu: Uint8Array | null = null;
  /** ioperm's I/O permission bitmap (IO_BITMAP_BITS bits, clear = allowed), or null: no port. */
  ioBitmap: Uint8Array | null = null;

  constructor(
    readonly pid: number,
    /** Who makes it runnable when a wait queue it sleeps on fires (the kernel); null for the idle task. */
    private readonly waker: Waker | null,
  ) {
    this.tgid = pid;
    this.rlim = DEFAULT_RLIMITS.map((r) => [r[0], r[1]]);
  }

  /** Waiter: a wait queue this task slept on fired. */
  wake(): void {
    this.waker?.wakeUp(this);
  }

  get isThreadLeader(): boolean {
    return this.tgid === this.pid;
  }
}

/** Linux's defaults for init (RLIMIT_STACK 8 MiB, NOFILE 1024, NPROC from memory). */
const DEFAULT_RLIMITS: number[][] = [
  [Infinity, Infinity], // CPU
  [Infinity, Infinity], // FSIZE
  [Infinity, Infinity], // DATA
  [8 * 1024 * 1024, Infinity], // STACK
  [0, Infinity], // CORE
  [Infinity, Infinity], // RSS
  [4096, 4096], // NPROC (set from memory at boot)
  [1024, 4096], // NOFILE
  [64 * 1024, 64 * 1024], // MEMLOCK
  [Infinity, Infinity], // AS
  [Infinity, Infinity], // LOCKS
  [4096, 4096], // SIGPENDING
  [819200, 819200], // MSGQUEUE
  [0, 0], // NICE
  [0, 0], // RTPRIO
  [Infinity, Infinity], // RTTIME
];
