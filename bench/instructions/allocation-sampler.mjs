// Preloaded into a worker by allocations.mjs (`--import`): V8's sampling heap profiler, started on
// SIGUSR2 (after warm-up), written to SCGI_BENCH_ALLOCATIONS when the worker exits. Objects that a
// collection has already freed are kept in the profile: it counts what a request allocates, not what
// survives it.

import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const out = process.env.SCGI_BENCH_ALLOCATIONS;
const session = new Session();
session.connect();
let sampling = false;

process.on('SIGUSR2', () => {
  session.post('HeapProfiler.enable');
  session.post('HeapProfiler.startSampling', {
    samplingInterval: 64,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  sampling = true;
  process.send?.('sampling');
});

// A session in the same thread answers at once, so this runs to the end inside the exit handler.
process.on('exit', () => {
  if (!sampling || out === undefined) return;
  session.post('HeapProfiler.stopSampling', (error, result) => {
    if (error === null) writeFileSync(out, JSON.stringify(result.profile));
  });
});
