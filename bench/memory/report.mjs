// bench/results/memory.md from a memory run: RSS growth during the transfers and memory per open stream.
import { writeFileSync } from 'node:fs';
import { growthText, medianGrowth, perStreamBytes } from './growth.mjs';

const MiB = 1024 * 1024;
const mib = (bytes) => (bytes / MiB).toFixed(1);
const perStreamKiB = (events, key) => (perStreamBytes(events, key) / 1024).toFixed(1);

export function writeMemoryReport(run, file) {
  const { settings, results, goalBytes } = run;
  const label = Object.fromEntries(run.paths.map((path) => [path.id, `(${path.id}) ${path.label}`]));
  const mark = (transfers, pathId) =>
    pathId === 'a' ? (medianGrowth(transfers) < goalBytes ? ' ✓' : ' ✗') : '';
  const lines = [
    '# Worker memory under large transfers and many open streams, behind nginx',
    '',
    `${new Date().toISOString().slice(0, 10)}: ${run.machine}. One private nginx (one process) in front of every path, each framework on each`,
    "transport at once, measured one after the other in the same run. RSS is the worker process's",
    '(VmRSS from /proc, sampled every 20 ms); MiB throughout.',
    '',
    ...run.paths.map((path) => `- ${label[path.id]}`),
    '',
    '![Worker RSS growth during the transfers, and memory per open event stream](memory.svg)',
    '',
    `## ${settings.mib} MiB download and upload: worker RSS growth`,
    '',
    `Peak RSS during the transfer over RSS just before it, MiB: the median of ${settings.repeats} transfers`,
    `(min–max). The goal for (a): under ${mib(goalBytes)} MiB (✓/✗). The download is made chunk by chunk, each a`,
    'new buffer, as the client reads it (GET /stream); the upload is counted as it streams in (POST',
    "/sink); nginx buffers neither more than users' defaults do (it spools a large request body to disk",
    'before passing it on). What rises is mostly dead buffers: V8 collects them when their total has grown',
    'by tens of MiB, so the figure moves between transfers; it does not grow with the transfer (a 64 MiB',
    'transfer rises about as far as a 1 GiB one), which a transport that ignored backpressure would.',
    '',
    '| framework | path | download | upload |',
    '| --- | --- | ---: | ---: |',
    ...results.map(
      (entry) =>
        `| ${entry.framework} | ${label[entry.path]} | ${growthText(entry.download)}${mark(entry.download, entry.path)} | ` +
        `${growthText(entry.upload)}${mark(entry.upload, entry.path)} |`,
    ),
    '',
    `## ${settings.streams} open server-sent event streams`,
    '',
    "The worker's memory after a full collection with every stream open (each has had its first event),",
    'against just before they opened, per stream: RSS, and what JS objects and buffers hold (V8 heap used',
    '+ external). Then how many streams the app still counted as open 10 s after every client left (none',
    'is right: a connection the client closed must reach the app as a close).',
    '',
    '| framework | path | RSS before → open | per stream: RSS, KiB | heap + buffers, KiB | left open after the clients left |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...results.map(
      ({ framework, path, events }) =>
        `| ${framework} | ${label[path]} | ${mib(events.before.rss)} → ${mib(events.during.rss)} | ` +
        `${perStreamKiB(events, 'rss')} | ${perStreamKiB(events, 'held')} | ${events.leftOpen} |`,
    ),
    '',
  ];
  writeFileSync(file, lines.join('\n'));
}
