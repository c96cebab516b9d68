// What /proc says about a process: resident memory and CPU time (Linux).
import { readdirSync, readFileSync } from 'node:fs';

const TICK_US = 1e6 / 100; // USER_HZ: /proc counts CPU time in 1/100 s

/** Resident set size of `pid` in bytes (VmRSS), or undefined once it is gone. */
export function rssBytes(pid) {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function procStat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const systemUs = Number(fields[12]) * TICK_US;
    return { ppid: Number(fields[1]), cpuUs: Number(fields[11]) * TICK_US + systemUs, systemUs };
  } catch {
    return undefined;
  }
}

/**
 * CPU time (µs) used so far by `pid` alone, and by it with all its live descendants; the `system` ones
 * are the kernel's part of each.
 */
export function cpuUs(pid) {
  const all = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = procStat(Number(name));
    if (stat) all.set(Number(name), stat);
  }
  const tree = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [child, { ppid }] of all) {
      if (tree.has(ppid) && !tree.has(child)) {
        tree.add(child);
        grew = true;
      }
    }
  }
  let treeUs = 0;
  let treeSystemUs = 0;
  for (const member of tree) {
    treeUs += all.get(member)?.cpuUs ?? 0;
    treeSystemUs += all.get(member)?.systemUs ?? 0;
  }
  const self = all.get(pid);
  return { selfUs: self?.cpuUs ?? 0, treeUs, selfSystemUs: self?.systemUs ?? 0, treeSystemUs };
}
