// `--user`, `--group`, `--socket-owner`: names (or numeric ids) to uid/gid, read from /etc/passwd and /etc/group.
import { readFileSync } from 'node:fs';
import { ManagerError } from '../errors.js';

/** Where the accounts are read from; tests and chroots may point elsewhere. */
export interface AccountFiles {
  passwd?: string;
  group?: string;
}

export interface UserEntry {
  name: string;
  uid: number;
  /** The primary group. */
  gid: number;
  home: string;
  shell: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
}

/** What a worker runs as: pass `uid`/`gid` to `child_process.fork`, which also clears supplementary groups. */
export interface Identity {
  uid: number;
  gid: number;
  /** For messages: `nobody:nogroup`, or the numbers when an id has no entry. */
  describe: string;
}

const NUMERIC = /^\d+$/;

/** Look up a user by name or numeric uid; `undefined` when /etc/passwd has no such entry. */
export function findUser(nameOrId: string, files: AccountFiles = {}): UserEntry | undefined {
  const byId = NUMERIC.test(nameOrId);
  for (const fields of entries(files.passwd ?? '/etc/passwd')) {
    // name:password:uid:gid:gecos:home:shell
    const [name = '', , uid = '', gid = '', , home = '', shell = ''] = fields;
    if (byId ? uid === nameOrId : name === nameOrId) {
      return { name, uid: Number(uid), gid: Number(gid), home, shell };
    }
  }
  return undefined;
}

/** Look up a group by name or numeric gid; `undefined` when /etc/group has no such entry. */
export function findGroup(nameOrId: string, files: AccountFiles = {}): GroupEntry | undefined {
  const byId = NUMERIC.test(nameOrId);
  for (const fields of entries(files.group ?? '/etc/group')) {
    // name:password:gid:members
    const [name = '', , gid = ''] = fields;
    if (byId ? gid === nameOrId : name === nameOrId) return { name, gid: Number(gid) };
  }
  return undefined;
}

/**
 * Resolve `--user`/`--group` (either may be omitted; the group defaults to the user's primary group).
 * A numeric id without an entry is taken as is (containers often run such ids), but then a numeric
 * user needs an explicit group. Throws ERR_SCGI_NODE_UNKNOWN_USER for an unknown name.
 */
export function resolveIdentity(
  spec: { user?: string | undefined; group?: string | undefined },
  files: AccountFiles = {},
  flags: { user: string; group: string } = { user: '--user', group: '--group' },
): Identity | undefined {
  if (spec.user === undefined && spec.group === undefined) return undefined;
  const passwd = files.passwd ?? '/etc/passwd';
  let user: { name: string; uid: number; gid?: number } | undefined;
  if (spec.user !== undefined) {
    user = findUser(spec.user, files);
    if (user === undefined) {
      if (!NUMERIC.test(spec.user)) throw unknown(flags.user, 'user', spec.user, passwd);
      user = { name: spec.user, uid: Number(spec.user) };
    }
  }
  let group: GroupEntry | undefined;
  if (spec.group !== undefined) {
    group = findGroup(spec.group, files);
    if (group === undefined) {
      if (!NUMERIC.test(spec.group))
        throw unknown(flags.group, 'group', spec.group, files.group ?? '/etc/group');
      group = { name: spec.group, gid: Number(spec.group) };
    }
  }
  const uid = user?.uid ?? process.getuid?.() ?? 0;
  const gid = group?.gid ?? (user === undefined ? (process.getgid?.() ?? 0) : user.gid);
  if (gid === undefined) {
    throw new ManagerError(
      'ERR_SCGI_NODE_UNKNOWN_USER',
      `${flags.user} ${spec.user} has no entry in ${passwd}, so its group is unknown: give ${flags.group} too`,
    );
  }
  const groupName = group?.name ?? findGroup(String(gid), files)?.name ?? String(gid);
  return { uid, gid, describe: `${user?.name ?? uid}:${groupName}` };
}

/** `user`, `user:group`, `:group`, `uid:gid` (the `--socket-owner` syntax) to ids. */
export function resolveOwner(spec: string, files: AccountFiles = {}): Identity {
  const [user, group] = spec.includes(':') ? spec.split(':', 2) : [spec, undefined];
  const identity = resolveIdentity(
    { user: user === '' ? undefined : user, group: group === '' ? undefined : group },
    files,
    { user: '--socket-owner', group: '--socket-owner' },
  );
  if (identity === undefined) {
    throw new ManagerError(
      'ERR_SCGI_NODE_BAD_OPTION',
      `--socket-owner: expected user, user:group or :group, got "${spec}"`,
    );
  }
  return identity;
}

/**
 * Fail early, with the reason, when this process cannot switch to `identity` (only root can give its
 * children another uid or gid); otherwise the fork would fail later with a bare EPERM.
 */
export function checkCanSwitch(identity: Identity, flag = '--user/--group'): void {
  const uid = process.getuid?.();
  if (uid === undefined || uid === 0) return;
  if (identity.uid === uid && identity.gid === process.getgid?.()) return;
  throw new ManagerError(
    'ERR_SCGI_NODE_PRIVILEGES',
    `${flag} ${identity.describe} needs the manager to start as root (it runs as uid ${uid}); start it as root, or drop the option to run as the current user`,
  );
}

function* entries(path: string): Generator<string[]> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ManagerError('ERR_SCGI_NODE_UNKNOWN_USER', `cannot read ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    yield line.split(':');
  }
}

function unknown(flag: string, kind: string, name: string, file: string): ManagerError {
  return new ManagerError('ERR_SCGI_NODE_UNKNOWN_USER', `${flag}: no ${kind} named "${name}" in ${file}`);
}
