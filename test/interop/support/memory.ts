// Samples a process's resident memory from /proc/<pid>/status while something runs.
import { readFileSync } from 'node:fs';

/** VmRSS of `pid` in bytes (Linux). */
export function residentBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match === null) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** Resident memory before `work` and the highest value seen while it ran (sampled every `everyMs`). */
export async function peakResidentDuring<T>(
  pid: number,
  work: () => Promise<T>,
  everyMs = 20,
): Promise<{ result: T; beforeBytes: number; peakBytes: number; samples: number }> {
  const beforeBytes = residentBytes(pid);
  let peakBytes = beforeBytes;
  let samples = 1;
  const timer = setInterval(() => {
    try {
      peakBytes = Math.max(peakBytes, residentBytes(pid));
      samples += 1;
    } catch {
      // the process ended: nothing more to sample
    }
  }, everyMs);
  try {
    const result = await work();
    peakBytes = Math.max(peakBytes, residentBytes(pid));
    return { result, beforeBytes, peakBytes, samples: samples + 1 };
  } finally {
    clearInterval(timer);
  }
}
