// One line on what a run ran on: CPU, cores, memory, OS, Node and nginx versions.
import { spawnSync } from 'node:child_process';
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
