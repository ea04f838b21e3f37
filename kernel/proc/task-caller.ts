// The FsCaller of a task: what the VFS and the drivers see of the process
// calling them. The waiter is the task itself (a WOULD_BLOCK puts it to sleep
// until a wait queue fires), user memory is the task's mm, the credentials
// are its effective (file-system) ids. Each Task builds one (Task.fsCaller);
// its fields read the task live, so setuid, setsid, chdir and exec are seen at once.

import type { Task } from "./task.ts";
import type { FsCaller, FsContext } from "../fs/fscontext.ts";
import type { FdTable } from "../fs/fdtable.ts";
import type { UserAccess } from "../fs/file.ts";
import type { Cred } from "../fs/permission.ts";
import type { Waiter } from "../wait.ts";
import { Errno } from "../errno.ts";
import { copyFromUser, copyToUser } from "../mm/uaccess.ts";
import { panic } from "../panic.ts";

export class TaskUser implements UserAccess {
  constructor(private readonly t: Task) {}
  copyFromUser(addr: number, len: number): Uint8Array | number {
    const mm = this.t.mm;
    if (mm === null) return -Errno.EFAULT;
    if (len < 0 || len > 0x7fffffff) return -Errno.EFAULT;
    return copyFromUser(mm, addr >>> 0, len);
  }
  copyToUser(addr: number, src: Uint8Array): number {
    const mm = this.t.mm;
    if (mm === null) return -Errno.EFAULT;
    return copyToUser(mm, addr >>> 0, src);
  }
}

export class TaskCred implements Cred {
  constructor(private readonly t: Task) {}
  get uid(): number {
    return this.t.euid;
  }
  get gid(): number {
    return this.t.egid;
  }
  get groups(): readonly number[] {
    return this.t.groupInfo;
  }
}

/** The FsCaller of one task. Its fs and files getters panic for a task without them (kernel threads never make file calls). */
export class TaskCaller implements FsCaller {
  readonly user: UserAccess;
  readonly cred: Cred;
  constructor(private readonly t: Task) {
    this.user = new TaskUser(t);
    this.cred = new TaskCred(t);
  }
  get waiter(): Waiter {
    return this.t;
  }
  get pid(): number {
    return this.t.tgid;
  }
  get pgrp(): number {
    return this.t.pgid;
  }
  get sid(): number {
    return this.t.sid;
  }
  get fs(): FsContext {
    const fs = this.t.fs;
    if (fs === null) panic("TaskCaller.fs: task has no fs context");
    return fs;
  }
  get files(): FdTable {
    const files = this.t.files;
    if (files === null) panic("TaskCaller.files: task has no descriptor table");
    return files;
  }
}
