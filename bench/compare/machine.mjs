// One line on what a run ran on (CPU, cores, memory, OS, Node and nginx versions), and how much of the
// machine's CPU time its hypervisor took meanwhile.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';

export function machineLine() {
  // nginx -v prints to stderr.
  const nginxVersion =
    /nginx\/[\d.]+/.exec(spawnSync('nginx', ['-v'], { encoding: 'utf8' }).stderr)?.[0] ?? 'nginx';
  const cpu = cpus();
  return (
    `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ` +
    `Linux ${release()}, Node ${process.version}, ${nginxVersion}`
  );
}

/** The machine's CPU time so far, in ticks: all of it, and the part taken by the hypervisor (steal). */
export function cpuTicks() {
  try {
    // "cpu  user nice system idle iowait irq softirq steal guest guest_nice"
    const fields = /^cpu\s+(.*)$/m.exec(readFileSync('/proc/stat', 'utf8'))[1].split(/\s+/).map(Number);
    // guest and guest_nice are already counted in user and nice.
    const total = fields.slice(0, 8).reduce((sum, ticks) => sum + ticks, 0);
    return { total, steal: fields[7] ?? 0 };
  } catch {
    return undefined;
  }
}

/**
 * The share of CPU time the hypervisor took between two cpuTicks() readings (0-1), or undefined. On a
 * virtual machine, time stolen by its neighbours is one reason the rounds of one path differ.
 */
export function stealShare(before, after) {
  if (before === undefined || after === undefined || after.total <= before.total) return undefined;
  return (after.steal - before.steal) / (after.total - before.total);
}
