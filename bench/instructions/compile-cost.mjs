// Instructions a callgrind run spent compiling JavaScript, read with callgrind_annotate (valgrind's package).
// V8's runtime entries for lazy compilation, TurboFan and tiering decisions are called from JS and run no
// JS themselves, so their inclusive costs add up without overlap.
import { execFileSync } from 'node:child_process';

const COMPILER_ENTRY = /v8::internal::(?:Runtime_Compile\w*|Runtime_BytecodeBudgetInterrupt\w*)\(/;
/** A row: one `count (share%)` per event, then the function. */
const ROW = /^\s*((?:[\d,]+\s+\(\s*[\d.]+%\)\s+|\.\s+)+)(.*)$/;
const COUNT = /([\d,]+)\s+\(\s*[\d.]+%\)|\./g;

function counts(columns) {
  return [...columns.matchAll(COUNT)].map(([cell, digits]) =>
    cell === '.' ? 0 : Number(digits.replaceAll(',', '')),
  );
}

/**
 * { total, compile }: all instructions of the run, and those inside V8's compiler entries; with more
 * events recorded (--cache-sim), `events` has each one's { total, compile } by callgrind's name (I1mr, …).
 */
export function splitCompileCost(callgrindOut) {
  const text = execFileSync('callgrind_annotate', ['--inclusive=yes', '--threshold=100', callgrindOut], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const names = /^Events shown:\s+(.*)$/m.exec(text)?.[1].trim().split(/\s+/) ?? ['Ir'];
  let totals;
  const compiles = names.map(() => 0);
  for (const line of text.split('\n')) {
    const row = ROW.exec(line);
    if (row === null) continue;
    const values = counts(row[1]);
    if (row[2].includes('PROGRAM TOTALS')) totals = values;
    else if (COMPILER_ENTRY.test(row[2])) {
      for (let i = 0; i < values.length; i++) compiles[i] += values[i];
    }
  }
  if (totals === undefined) throw new Error(`callgrind_annotate found no totals in ${callgrindOut}`);
  const events = Object.fromEntries(
    names.map((name, i) => [name, { total: totals[i], compile: compiles[i] }]),
  );
  return { total: events.Ir.total, compile: events.Ir.compile, events };
}
