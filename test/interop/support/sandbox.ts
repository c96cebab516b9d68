// Temp folders the front servers can use, the www-data account they run as, and an htpasswd file.
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The account Debian's nginx, Apache and lighttpd serve as (set in examples/deploy). */
export interface Account {
  uid: number;
  gid: number;
}

/** www-data's uid and gid, from /etc/passwd and /etc/group (base-passwd puts it on every Debian). */
export function wwwData(): Account {
  const field = (file: string) => {
    const line = readFileSync(file, 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('www-data:'));
    if (line === undefined) throw new Error(`no www-data in ${file}: the front servers run as www-data`);
    return Number(line.split(':')[2]);
  };
  return { uid: field('/etc/passwd'), gid: field('/etc/group') };
}

/**
 * A fresh folder under the OS temp dir, mode 0711: www-data (nginx workers, Apache children, lighttpd) can
 * reach the sockets and files inside by name, but not list it. mkdtemp's 0700 would hide every socket.
 */
export function makeSandbox(label: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `scgi-node-${label}-`));
  chmodSync(dir, 0o711);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The user the front servers accept for /whoami (basic auth), and its password. */
export const BASIC_USER = { name: 'alice', password: 'wonder land' } as const;

/**
 * Write an htpasswd file with `{SHA}` hashes (read by nginx, Apache and lighttpd alike), owned by
 * root:www-data with mode 0640: the servers' workers can read it, nobody else.
 */
export function writeHtpasswd(path: string, account: Account): string {
  const hash = createHash('sha1').update(BASIC_USER.password).digest('base64');
  writeFileSync(path, `${BASIC_USER.name}:{SHA}${hash}\n`, { mode: 0o640 });
  chownSync(path, 0, account.gid);
  return path;
}
