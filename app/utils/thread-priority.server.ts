import fs from "node:fs";
import os from "node:os";

/** The niceness of background threads: the main thread (0) gets the CPU first. */
export const BACKGROUND_NICENESS = 10;

/**
 * This thread's id for the kernel (Linux: /proc/thread-self is "PID/task/TID"), or null
 * elsewhere.
 */
export function kernelThreadId(): number | null {
  try {
    const tid = Number(fs.readlinkSync("/proc/thread-self").split("/").pop());
    return Number.isInteger(tid) && tid > 0 ? tid : null;
  } catch {
    return null;
  }
}

/**
 * Lowers the CPU priority of the calling worker thread (decision 030). On two cores the
 * compute and parse workers (imports, workbooks, the engine) competed with the main
 * thread, and every request waited while the kernel gave the workers their share. Linux
 * applies setpriority to a single thread when given its id, so this touches only the
 * caller. Best effort: answers the niceness now in effect, or null where unsupported.
 * Never call it on the main thread.
 */
export function lowerThisThreadsPriority(niceness: number = BACKGROUND_NICENESS): number | null {
  const tid = kernelThreadId();
  if (tid === null || tid === process.pid) return null;
  try {
    os.setPriority(tid, niceness);
    return os.getPriority(tid);
  } catch {
    return null;
  }
}
