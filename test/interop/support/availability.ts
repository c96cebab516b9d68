// Which front servers can run here, and what to do about one that cannot: skip (one line) or fail in CI.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BINARIES, FRONT_SERVERS, type FrontKind } from './front-servers.js';

/** `SCGI_NODE_INTEROP=required` (set by CI): a front server that cannot run fails instead of skipping. */
export const INTEROP_REQUIRED = process.env.SCGI_NODE_INTEROP === 'required';

/** How to get the front servers (Debian/Ubuntu packages; no service starts on install). */
export const INSTALL_HINT = 'apt-get install nginx apache2 lighttpd';

/**
 * Why this front server cannot run here, or undefined when it can. The servers are started as root, as
 * a system would, and drop to www-data; the tests hand sockets and files to www-data (chown, setgid).
 */
export function whyUnavailable(kind: FrontKind): string | undefined {
  if (!existsSync(BINARIES[kind])) return `${BINARIES[kind]} is not installed`;
  if (process.getuid?.() !== 0) return `${kind} needs root here (it drops to www-data)`;
  return undefined;
}

/**
 * Print the skip notice once per test run, not once per file: vitest's files run in child processes of
 * one vitest process, so a marker named after that parent tells whether a sibling already printed it.
 * The line names every server that cannot run, whichever file prints it.
 */
export function announceSkipped(): void {
  const marker = join(tmpdir(), `scgi-node-interop-skip-notice-${runId()}`);
  try {
    writeFileSync(marker, '', { flag: 'wx' });
  } catch {
    return; // another test file of this run already said it
  }
  const reasons = FRONT_SERVERS.map(whyUnavailable).filter((reason) => reason !== undefined);
  console.warn(
    `[interop] skipped: ${reasons.join('; ')}. To run these tests: ${INSTALL_HINT}, as root ` +
      '(CI sets SCGI_NODE_INTEROP=required: then this is a failure)',
  );
}

/** The vitest process's pid and start time (a pid alone may be reused by a later run). */
function runId(): string {
  try {
    // /proc/<pid>/stat: field 22 is the start time; the command name (field 2) may hold spaces.
    const stat = readFileSync(`/proc/${process.ppid}/stat`, 'utf8');
    return `${process.ppid}-${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
  } catch {
    return String(process.ppid);
  }
}
