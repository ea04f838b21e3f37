// The FsCaller of a task (Task.fsCaller, kernel/proc/task-caller.ts) and its
// supplementary groups (Task.groupInfo), for the system calls.

import type { Kernel } from "../kernel.ts";
import type { Task } from "../proc/task.ts";
import type { FsCaller } from "../fs/fscontext.ts";

export function taskGroups(t: Task): readonly number[] {
  return t.groupInfo;
}

export function setTaskGroups(t: Task, groups: number[]): void {
  t.groupInfo = groups;
}

/**
 * The FsCaller of task t (never null). Its fs and files getters panic for a
 * task without them (kernel threads never make file calls).
 */
export function callerOf(_k: Kernel, t: Task): FsCaller {
  return t.fsCaller;
}
