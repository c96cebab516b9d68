// Instructions a callgrind run spent compiling JavaScript, read with callgrind_annotate (valgrind's package).
// V8's runtime entries for lazy compilation, TurboFan and tiering decisions are called from JS and run no
// JS themselves, so their inclusive costs add up without overlap.
import { execFileSync } from 'node:child_process';

const COMPILER_ENTRY = /v8::internal::(?:Runtime_Compile\w*|Runtime_BytecodeBudgetInterrupt\w*)\(/;
const ROW = /^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*)$/;

/** { total, compile }: all instructions of the run, and those inside V8's compiler entries. */
export function splitCompileCost(callgrindOut) {
  const text = execFileSync('callgrind_annotate', ['--inclusive=yes', '--threshold=100', callgrindOut], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  let total;
  let compile = 0;
  for (const line of text.split('\n')) {
    const row = ROW.exec(line);
    if (row === null) continue;
    const count = Number(row[1].replaceAll(',', ''));
    if (row[2].includes('PROGRAM TOTALS')) total = count;
    else if (COMPILER_ENTRY.test(row[2])) compile += count;
  }
  if (total === undefined) throw new Error(`callgrind_annotate found no totals in ${callgrindOut}`);
  return { total, compile };
}
