// The kernel: boot, the trap entry from the stubs, the scheduler and the
// return-to-user path. The stubs enter `trap` through the hypercall with the
// trap frame on the current task's kernel stack; everything else (system
// calls, page faults, interrupts, signals) is reached from there.
//
// Context switch: every task that is not running has its user state saved in
// a trap frame at `task.ksp`. Switching to a task = pointing the stub's ESP at
// its frame, loading its CR3 and TSS.esp0; the stub's exit path does the rest.

import { FPU_STATE_SIZE, X86 } from "./arch/x86.ts";
import { EMPTY_ZERO_PAGE_PA, IDLE_STACK_TOP_PA, KERNEL_CS, KERNEL_DS, LOW_RESERVED_END, SWAPPER_PG_DIR, THREAD_SIZE, kpa, kva } from "./arch/layout.ts";
import { Tf, TRAP_FRAME_KERNEL_SIZE, TRAP_FRAME_USER_SIZE } from "./arch/trapframe.ts";
import { I8259, IRQ_BASE_VECTOR } from "./drivers/i8259.ts";
import { HZ, initTimer } from "./drivers/i8254.ts";
import { COM1_IRQ, Serial } from "./drivers/serial.ts";
import { MmContext } from "./mm/context.ts";
import { selectDesign, type MmDesignName } from "./mm/designs.ts";
import { Task, TaskState } from "./proc/task.ts";
import { panic } from "./panic.ts";
import { parseCmdline, type BootOptions } from "./cmdline.ts";
import { WOULD_BLOCK } from "./wait.ts";
import { Errno } from "./errno.ts";
import type { Syscalls } from "./syscalls/table.ts";
import type { FdTable } from "./fs/fdtable.ts";
import { exitMm } from "./mm/memory.ts";
import { kernelInfo, sendGroupSignal, sendSignal } from "./signal/send.ts";
import type { SigInfo } from "./signal/signals.ts";
import { loadTls } from "./proc/tls.ts";
import { LogBuffer, KERN_INFO, KERN_WARNING } from "./printk.ts";
import { CPU_HZ, type ClockState } from "./syscalls/time-clock.ts";
import type { KernelVfs } from "./vfs.ts";
import type { VmstatPage } from "./drivers/vmstat-dev.ts";
import { ShmIds } from "./ipc/shm.ts";

/** The outcome a system call handler may return instead of a value for EAX. */
export const KEEP_FRAME = -0x20000; // the handler rewrote the frame (execve, sigreturn): leave EAX alone

/** What the kernel reports to its host (console, CLI, monitor). */
export interface KernelHost {
  /** Kernel log lines (printk); shown on the console unless `quiet`. */
  log(line: string): void;
  /** The kernel cannot go on. */
  panic(message: string): void;
}

/** What a kernel timer runs: a named module-level function, given the kernel and the timer's data. */
export type TimerFn<T> = (k: Kernel, data: T) => void;

export interface KernelTimer {
  /** The jiffy it fires at. */
  due: number;
  fire: TimerFn<unknown>;
  data: unknown;
}

export class Kernel {
  readonly mmctx: MmContext;
  readonly options: BootOptions;
  readonly pic: I8259;
  readonly serial: Serial;
  readonly tasks = new Map<number, Task>();
  readonly idle: Task;
  current: Task;
  /** Runnable tasks other than the current one, in round-robin order. */
  private readonly runQueue: Task[] = [];
  needResched = false;
  /** Timer ticks since boot (Linux jiffies). */
  jiffies = 0;
  private nextPid = 1;
  /** The kernel log that printk writes and syslog(2) reads. */
  readonly log = new LogBuffer();
  /** Guest cycles spent in ring 3, by every task (Linux's cpustat[CPUTIME_USER], /proc/stat). */
  userCycles = 0;
  /** Context switches and tasks created since boot (Linux's nr_context_switches, total_forks). */
  contextSwitches = 0;
  forks = 0;
  /** Interrupts taken per IRQ line (/proc/stat's intr, /proc/interrupts). */
  readonly irqCounts = new Float64Array(16);
  /** Unknown system call numbers seen, with counts. */
  readonly unknownSyscalls = new Map<number, number>();
  /** Run on every timer tick, in order (the vmstat page, reclaim). */
  readonly tickHooks: (() => void)[] = [];
  /** Hooks run on each timer tick (sleep timeouts). */
  readonly timers: KernelTimer[] = [];
  /** Handlers of the other device interrupts, by IRQ line (drivers set them when they probe). */
  readonly irqHandlers: ((() => void) | undefined)[] = [];
  /** Bytes received on the console, handed to the tty layer. */
  onConsoleInput: (byte: number) => void = () => {};
  /** Timer interrupts per second. */
  readonly hz = HZ;
  /** uname's nodename and domainname, as sethostname/setdomainname left them (syscalls/uname.ts). */
  readonly uts = { node: "vmalab", domain: "(none)" };
  /** Upper bound on processes (fork fails with EAGAIN beyond it), from memory size at boot. */
  maxTasks = 4096;
  /** Called when init (pid 1) exits: the machine has nothing left to run. */
  initExited: ((status: number) => void) | null = null;
  /** Called when a process starts a session (the console forgets its controlling process group). */
  onSetsid: ((leader: Task) => void) | null = null;
  /** Tasks that died and wait to have their kernel stacks freed once no longer current. */
  private readonly deadTasks: Task[] = [];
  /** State of the kernel's deterministic random generator (xorshift32). */
  private rng = 0x2545f491;
  /** CLOCK_REALTIME's base: read from the CMOS RTC on first use (Linux read_persistent_clock), or set by setRealtimeEpoch. */
  realtimeBase: ClockState | null = null;
  /** Futex wait queues by key (the word's physical address), FIFO (Linux futex_queues). */
  readonly futexQueues = new Map<number, Task[]>();
  /** The VFS: mount table, pipefs, character drivers, random generator, console (set by bootFs; null before). */
  vfs: KernelVfs | null = null;
  /** The /dev/vmstat counter page (set by registerMmDevices at boot; null before). */
  vmstatPage: VmstatPage | null = null;
  /** System V shared memory segments (Linux's shm_ids of the ipc namespace). */
  readonly shmIds = new ShmIds(this);

  constructor(
    /** The machine as the kernel drives it (not yet booted). */
    readonly x86: X86,
    readonly host: KernelHost,
    cmdline: string,
    /** The system call table, by number (boot.ts builds it). */
    readonly syscalls: Syscalls,
    /** CPU exceptions other than the timer's; page faults and user faults (boot.ts: handleException). */
    private readonly exceptionHandler: (k: Kernel, t: Task, vector: number) => void,
    /** Run for a task about to return to ring 3 (boot.ts: doSignal, signal delivery). */
    private readonly beforeUserReturn: (k: Kernel, t: Task) => void,
  ) {
    this.options = parseCmdline(cmdline, (msg) => this.printk(msg, KERN_WARNING));
    x86.boot((frameVa) => this.trap(frameVa));
    this.mmctx = new MmContext({
      mem: x86.phys,
      tlb: x86,
      ramSize: x86.ramSize,
      reservedEnd: LOW_RESERVED_END,
      masterPgdPa: SWAPPER_PG_DIR,
      zeroPagePa: EMPTY_ZERO_PAGE_PA,
      design: selectDesign(this.options.mm as MmDesignName),
      hooks: {
        currentPgd: () => x86.cr3,
        activateKernelPgd: () => x86.loadCr3(SWAPPER_PG_DIR),
        cycles: () => x86.cycles(),
      },
    });
    this.pic = new I8259(x86);
    this.serial = new Serial(x86);
    this.idle = this.makeIdle();
    this.current = this.idle;
  }

  /** Programs the interrupt controller, timer and console. */
  initDevices(): void {
    this.pic.init();
    initTimer(this.x86);
    this.serial.init();
    this.pic.enable(0);
    this.pic.enable(COM1_IRQ);
  }

  /**
   * Logs a kernel message (kernel/printk.ts) and, below the console log
   * level, writes it to the console through the host (which hides it when
   * booted `quiet`).
   */
  printk(line: string, level = KERN_INFO): void {
    if (this.log.append(level, this.x86.cycles() / CPU_HZ, line)) this.host.log(line);
  }

  /** A new task with a fresh pid and a kernel stack, not yet runnable. null when out of memory. */
  allocTask(): Task | null {
    const pfn = this.mmctx.frames.allocKernelPage();
    if (pfn < 0) return null;
    let pid = this.nextPid;
    while (this.tasks.has(pid)) pid = pid >= 32767 ? 2 : pid + 1;
    this.nextPid = pid >= 32767 ? 2 : pid + 1;
    const t = new Task(pid, this);
    t.kstackPa = pfn * 4096;
    t.kstackTop = kva(t.kstackPa + THREAD_SIZE);
    t.ksp = t.kstackTop - TRAP_FRAME_USER_SIZE;
    t.startCycles = this.x86.cycles();
    this.tasks.set(pid, t);
    this.forks++;
    return t;
  }

  /** Frees a dead task's kernel stack and forgets its pid. */
  releaseTask(t: Task): void {
    if (t === this.current) panic("releaseTask: releasing the running task");
    t.state = TaskState.Dead;
    this.mmctx.frames.unpinPage(t.kstackPa >>> 12);
    this.tasks.delete(t.pid);
  }

  /** Releases t (a reaped zombie or an auto-reaped thread) as soon as it is not running. */
  releaseLater(t: Task): void {
    t.state = TaskState.Zombie;
    if (!this.deadTasks.includes(t)) this.deadTasks.push(t);
  }

  private reapDead(): void {
    for (let i = this.deadTasks.length - 1; i >= 0; i--) {
      const t = this.deadTasks[i];
      if (t === this.current) continue;
      this.deadTasks.splice(i, 1);
      this.releaseTask(t);
    }
  }

  /** Shares a descriptor table with one more task (CLONE_FILES). */
  getFiles(files: FdTable): FdTable {
    files.users++;
    return files;
  }

  /** A task stops using a descriptor table; the last user closes every descriptor. */
  putFiles(files: FdTable): void {
    if (--files.users > 0) return;
    files.closeAll();
  }

  /** Drops t's address space. */
  dropMm(t: Task): void {
    if (t.mm) exitMm(t.mm);
    t.mm = null;
  }

  /** Posts sig to thread t (kernel-generated unless info says otherwise). */
  sendSignal(t: Task, sig: number, info: SigInfo = kernelInfo(sig)): number {
    return sendSignal(this, t, sig, info);
  }

  /** Posts sig to every process in process group pgid (the tty's ^C, ^Z, SIGWINCH). */
  sendSignalToGroup(pgid: number, sig: number): number {
    if (pgid <= 0) return -Errno.ESRCH;
    let found = false;
    for (const t of [...this.tasks.values()]) {
      if (t.pgid === pgid && t.tgid === t.pid && t.state !== TaskState.Zombie && t.state !== TaskState.Dead) {
        sendGroupSignal(this, t, sig, kernelInfo(sig));
        found = true;
      }
    }
    return found ? 0 : -Errno.ESRCH;
  }

  /** n bytes from the kernel's deterministic generator (AT_RANDOM, /dev/urandom seeds). */
  randomBytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let x = this.rng;
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[i] = x & 0xff;
    }
    this.rng = x;
    return out;
  }

  /** Puts a task on the run queue (from fork or a wakeup). */
  makeRunnable(t: Task): void {
    t.state = TaskState.Runnable;
    if (t !== this.current && !this.runQueue.includes(t)) this.runQueue.push(t);
    if (this.current === this.idle) this.needResched = true;
  }

  /** Waiter callback: a sleeping task's event happened. */
  wakeUp(t: Task): void {
    if (t.state === TaskState.Sleeping) this.makeRunnable(t);
  }

  /** Current task blocks until woken (it registered itself on a WaitQueue). */
  sleepCurrent(): void {
    this.current.state = TaskState.Sleeping;
    this.current.nvcsw++;
  }

  /** Reads a dword of the trap frame of `t`. */
  frameRead(t: Task, off: number): number {
    return this.x86.phys.read32(kpa(t.ksp) + off);
  }
  /** Writes a dword of the trap frame of `t`. */
  frameWrite(t: Task, off: number, v: number): void {
    this.x86.phys.write32(kpa(t.ksp) + off, v);
  }

  /**
   * Arms a one-shot timer at an absolute jiffy: fire(kernel, data) runs then
   * (Linux's timer_list with its function and data). fire is a named
   * module-level function (kernel/named.ts) and data plain kernel state, so a
   * pending timer is data a snapshot can hold.
   */
  addTimer<T>(due: number, fire: TimerFn<T>, data: T): void {
    this.timers.push({ due, fire: fire as TimerFn<unknown>, data });
  }

  // ---------------------------------------------------------------- traps

  /**
   * Every entry from the stubs. CPU time is accounted in guest cycles, as
   * Linux's precise accounting does at each kernel entry and exit: the time
   * since the last return goes to the interrupted task's utime (ring 3) or
   * stime (the idle loop and kernel stubs), the handling itself to its stime.
   */
  private trap(frameVa: number): void {
    const t = this.current;
    t.ksp = frameVa;
    const entry = this.x86.cycles();
    if ((this.frameRead(t, Tf.CS) & 3) === 3) {
      t.utime += entry - this.lastExit;
      this.userCycles += entry - this.lastExit;
    } else t.stime += entry - this.lastExit;
    const vector = this.frameRead(t, Tf.VECTOR);
    if (vector === 0x80) this.syscall(t);
    else if (vector >= IRQ_BASE_VECTOR && vector < IRQ_BASE_VECTOR + 16) this.interrupt(vector - IRQ_BASE_VECTOR);
    else this.exception(t, vector);
    this.leaveKernel();
    this.lastExit = this.x86.cycles();
    t.stime += this.lastExit - entry;
  }

  /** Guest cycle count when the kernel last returned to a task (CPU time accounting). */
  private lastExit = 0;

  private syscall(t: Task): void {
    const nr = this.frameRead(t, Tf.EAX);
    const handler = nr >= 0 && nr < this.syscalls.length ? this.syscalls[nr] : undefined;
    let r: number;
    if (handler) {
      r = handler(this, t, this.frameRead(t, Tf.EBX), this.frameRead(t, Tf.ECX), this.frameRead(t, Tf.EDX),
        this.frameRead(t, Tf.ESI), this.frameRead(t, Tf.EDI), this.frameRead(t, Tf.EBP));
    } else {
      this.unknownSyscalls.set(nr, (this.unknownSyscalls.get(nr) ?? 0) + 1);
      r = -Errno.ENOSYS;
    }
    if (r === WOULD_BLOCK) {
      // Sleep and re-execute the INT 0x80 when woken: EAX still holds the number.
      this.frameWrite(t, Tf.EIP, this.frameRead(t, Tf.EIP) - 2);
      t.syscallRestart = true;
      if (t.state === TaskState.Runnable) this.sleepCurrent();
      return;
    }
    t.syscallRestart = false;
    if (r !== KEEP_FRAME && t.state !== TaskState.Dead) this.frameWrite(t, Tf.EAX, r);
  }

  private interrupt(irq: number): void {
    this.irqCounts[irq]++;
    if (irq === 0) {
      this.jiffies++;
      this.runTimers();
      for (const h of this.tickHooks) h();
      if (this.current !== this.idle) {
        this.current.nivcsw++;
        this.needResched = true;
      }
    } else if (irq === COM1_IRQ) {
      this.serial.interrupt(this.onConsoleInput);
    } else if (this.irqHandlers[irq] !== undefined) {
      this.irqHandlers[irq]!();
    } else if ((irq === 7 || irq === 15) && !this.pic.inService(irq)) {
      return; // spurious: no EOI
    }
    this.pic.eoi(irq);
  }

  private runTimers(): void {
    if (this.timers.length === 0) return;
    const due = this.timers.filter((x) => x.due <= this.jiffies);
    if (due.length === 0) return;
    for (let i = this.timers.length - 1; i >= 0; i--) if (this.timers[i].due <= this.jiffies) this.timers.splice(i, 1);
    for (const x of due) x.fire(this, x.data);
  }

  private exception(t: Task, vector: number): void {
    this.exceptionHandler(this, t, vector);
  }

  // ---------------------------------------------------------------- scheduling

  /** Chooses what runs next and points the stub at its frame. */
  private leaveKernel(): void {
    this.reapDead();
    for (let guard = 0; ; guard++) {
      if (guard > 100000) panic("leaveKernel: no task settles");
      let next = this.current;
      if (this.needResched || next.state !== TaskState.Runnable) {
        this.needResched = false;
        next = this.pickNext();
      }
      if (next !== this.idle) {
        this.switchTo(next);
        this.beforeUserReturn(this, next);
        if (next.state !== TaskState.Runnable) continue; // killed or stopped by a signal
      } else {
        this.switchTo(next);
      }
      return;
    }
  }

  private pickNext(): Task {
    const cur = this.current;
    if (cur !== this.idle && cur.state === TaskState.Runnable) this.runQueue.push(cur);
    while (this.runQueue.length > 0) {
      const t = this.runQueue.shift()!;
      if (t.state === TaskState.Runnable) return t;
    }
    return this.idle;
  }

  private switchTo(next: Task): void {
    const x86 = this.x86;
    if (next !== this.current) {
      this.current = next;
      this.contextSwitches++;
    }
    x86.kernelSp = next.ksp;
    if (next === this.idle) return; // lazy TLB: idle keeps whatever CR3 is loaded
    x86.setEsp0(next.kstackTop);
    if (next.mm) x86.loadCr3(next.mm.pgd);
    loadTls(this, next);
    if (next.ioBitmap !== this.ioBitmapLoaded) this.loadIoBitmap(next.ioBitmap);
    if (next !== this.fpuOwner) this.switchFpu(next);
  }

  /** The task whose FPU state the CPU's FPU holds (the others keep theirs in Task.fpu). */
  private fpuOwner: Task | null = null;

  /** Saves the FPU into its owner and loads next's state (an eager switch, as Linux does since 3.x, done only when the owner changes). */
  private switchFpu(next: Task): void {
    const owner = this.fpuOwner;
    if (owner !== null && owner.state !== TaskState.Dead) this.x86.fpuSave((owner.fpu ??= new Uint8Array(FPU_STATE_SIZE)));
    if (next.fpu !== null) this.x86.fpuRestore(next.fpu);
    else this.x86.fpuInit();
    this.fpuOwner = next;
  }

  /** A copy of t's FPU state (for fork and signal frames), from the FPU if t owns it. */
  fpuState(t: Task): Uint8Array {
    if (t !== this.fpuOwner) return t.fpu?.slice() ?? X86.fpuInitImage();
    const img = new Uint8Array(FPU_STATE_SIZE);
    this.x86.fpuSave(img);
    return img;
  }

  /** Gives t this FPU state (null: FNINIT, as exec and a signal handler's entry do). */
  setFpuState(t: Task, img: Uint8Array | null): void {
    t.fpu = img;
    if (t !== this.fpuOwner) return;
    if (img !== null) this.x86.fpuRestore(img);
    else this.x86.fpuInit();
  }

  /** The bitmap in the TSS now (a task's, or null for none). */
  private ioBitmapLoaded: Uint8Array | null = null;

  /** Puts bitmap into the TSS (ioperm changed the current task's, or another task runs). */
  loadIoBitmap(bitmap: Uint8Array | null): void {
    this.x86.loadIoBitmap(bitmap);
    this.ioBitmapLoaded = bitmap;
  }


  /** Starts running: enter `first` (a task with a user frame) as if returning from a trap. */
  start(first: Task): void {
    this.current = first;
    this.lastExit = this.x86.cycles();
    this.switchTo(first);
    this.x86.enterFrame(first.ksp);
  }

  private makeIdle(): Task {
    const idle = new Task(0, null);
    const top = kva(IDLE_STACK_TOP_PA);
    idle.ksp = top - TRAP_FRAME_KERNEL_SIZE;
    idle.kstackTop = top;
    idle.comm = "swapper";
    const f = kpa(idle.ksp);
    const phys = this.x86.phys;
    for (let off = 0; off < TRAP_FRAME_KERNEL_SIZE; off += 4) phys.write32(f + off, 0);
    for (const off of [Tf.GS, Tf.FS, Tf.ES, Tf.DS]) phys.write32(f + off, KERNEL_DS);
    phys.write32(f + Tf.EIP, kva(this.x86.layout.idlePa));
    phys.write32(f + Tf.CS, KERNEL_CS);
    phys.write32(f + Tf.EFLAGS, 0x202);
    return idle;
  }

  /** Ticks per second of the kernel clock. */
  static readonly HZ = HZ;
}
