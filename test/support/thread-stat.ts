/** One of this process's threads as the Linux kernel reports it (/proc/<pid>/task/<tid>/stat). */
import { readFileSync } from 'node:fs';

export interface ThreadStat {
  /** Nice value (field 19). */
  nice: number;
  /** CPU time, user + system, in clock ticks (fields 14 and 15). */
  ticks: number;
}

export function threadStat(thread: number): ThreadStat {
  const stat = readFileSync(`/proc/${process.pid}/task/${thread}/stat`, 'utf8');
  // The command name (field 2) may contain spaces: count from the closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { nice: Number(fields[16]), ticks: Number(fields[11]) + Number(fields[12]) };
}
