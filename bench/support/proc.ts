// CPU time and memory of processes on this machine, from /proc (Linux).
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ

/** User + system CPU seconds a process has used so far. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime + stime
}

/**
 * CPU seconds of a process's children that have exited and been waited for (cutime + cstime): for PostgreSQL's
 * postmaster, the backends and parallel workers that ended, which no longer have a /proc entry of their own.
 */
export function reapedChildrenCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND; // cutime + cstime
}

/** The parent of a process (for a PostgreSQL backend: the postmaster). */
export function parentPid(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
}

/** CPU seconds of several processes; those that have gone count as 0. */
export function cpuSecondsOf(pids: Iterable<number>): number {
  let total = 0;
  for (const pid of pids) {
    try {
      total += cpuSeconds(pid);
    } catch {
      /* exited */
    }
  }
  return total;
}

/** Busy (non-idle) CPU seconds of the whole machine, all cores added. */
export function machineBusySeconds(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user/nice)
  const busy = cpu.slice(0, 8).reduce((a, b) => a + b, 0) - (cpu[3] ?? 0) - (cpu[4] ?? 0);
  return busy / TICKS_PER_SECOND;
}

export function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.replace(/\D+/g, '')) / 1024;
}

export interface ProcessEntry {
  ppid: number;
  /** User + system CPU seconds so far. */
  cpu: number;
  name: string;
}

/** Every process on the machine now (pid → parent, CPU seconds, command line, shortened). */
export function processTable(): Map<number, ProcessEntry> {
  const out = new Map<number, ProcessEntry>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      out.set(Number(entry), {
        ppid: Number(fields[1]),
        cpu: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
        name: (cmdline || stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))).slice(0, 80),
      });
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}
