import { readFileSync } from "node:fs";

/** Linux's clock ticks a second (USER_HZ), in which /proc reports CPU time. */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system, every thread) another process has used so far, in ms, from /proc. */
export function processCpuMs(pid: number): number {
  // Fields after the command name (which may hold spaces) start at the state, field 3.
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  const [utime, stime] = [Number(fields[11]), Number(fields[12])];
  return ((utime + stime) * 1000) / TICKS_PER_SECOND;
}
