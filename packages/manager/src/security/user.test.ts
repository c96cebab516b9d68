// Accounts from the real /etc/passwd and /etc/group (root, nobody), custom files, errors, and a real uid switch.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ManagerError } from '../errors.js';
import { transpiledPackage } from '../test-support/transpiled-package.js';
import { checkCanSwitch, findGroup, findUser, resolveIdentity, resolveOwner } from './user.js';

const isRoot = process.getuid?.() === 0;

function thrown(action: () => unknown): ManagerError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ManagerError);
    return error as ManagerError;
  }
  throw new Error('expected a ManagerError');
}

describe('lookups in /etc/passwd and /etc/group', () => {
  it('finds root and nobody by name and by id', () => {
    expect(findUser('root')).toMatchObject({ name: 'root', uid: 0, gid: 0, home: '/root' });
    const nobody = findUser('nobody');
    expect(nobody).toMatchObject({ name: 'nobody', uid: 65534 });
    expect(findUser('65534')?.name).toBe('nobody');
    expect(findGroup('root')).toEqual({ name: 'root', gid: 0 });
    expect(findGroup(String(nobody!.gid))?.gid).toBe(nobody!.gid);
    expect(findUser('no-such-user-here')).toBeUndefined();
    expect(findGroup('no-such-group-here')).toBeUndefined();
  });

  it('reads other files, skipping comments and blank lines; an unreadable file is a clear error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scgi-accounts-'));
    const passwd = join(dir, 'passwd');
    const group = join(dir, 'group');
    writeFileSync(passwd, '# local accounts\n\nweb:x:1500:1600:Web:/srv/web:/bin/false\n');
    writeFileSync(group, 'webgrp:x:1600:\nfront:x:1700:www\n');
    const files = { passwd, group };
    expect(resolveIdentity({ user: 'web' }, files)).toEqual({ uid: 1500, gid: 1600, describe: 'web:webgrp' });
    expect(resolveIdentity({ user: 'web', group: 'front' }, files)).toEqual({
      uid: 1500,
      gid: 1700,
      describe: 'web:front',
    });
    const error = thrown(() => findUser('web', { passwd: join(dir, 'missing') }));
    expect(error.code).toBe('ERR_SCGI_NODE_UNKNOWN_USER');
    expect(error.message).toMatch(/^cannot read .*missing: ENOENT/);
  });
});

describe('resolveIdentity (--user/--group)', () => {
  it('nothing given: no switch', () => {
    expect(resolveIdentity({})).toBeUndefined();
  });

  it("a user alone takes the user's primary group; a group alone keeps the current user", () => {
    const nobody = findUser('nobody')!;
    const groupName = findGroup(String(nobody.gid))!.name;
    expect(resolveIdentity({ user: 'nobody' })).toEqual({
      uid: 65534,
      gid: nobody.gid,
      describe: `nobody:${groupName}`,
    });
    expect(resolveIdentity({ user: 'nobody', group: 'root' })).toEqual({
      uid: 65534,
      gid: 0,
      describe: 'nobody:root',
    });
    expect(resolveIdentity({ group: 'root' })).toEqual({
      uid: process.getuid!(),
      gid: 0,
      describe: `${process.getuid!()}:root`,
    });
  });

  it('numeric ids without entries are taken as they are, but a numeric user then needs a group', () => {
    expect(resolveIdentity({ user: '4242', group: '4343' })).toEqual({
      uid: 4242,
      gid: 4343,
      describe: '4242:4343',
    });
    const error = thrown(() => resolveIdentity({ user: '4242' }));
    expect(error.code).toBe('ERR_SCGI_NODE_UNKNOWN_USER');
    expect(error.message).toBe(
      '--user 4242 has no entry in /etc/passwd, so its group is unknown: give --group too',
    );
  });

  it('unknown names are refused with the file they were looked up in', () => {
    expect(thrown(() => resolveIdentity({ user: 'nobdy' })).message).toBe(
      '--user: no user named "nobdy" in /etc/passwd',
    );
    const group = thrown(() => resolveIdentity({ user: 'nobody', group: 'wheel-nope' }));
    expect(group.code).toBe('ERR_SCGI_NODE_UNKNOWN_USER');
    expect(group.exitCode).toBe(2);
    expect(group.message).toBe('--group: no group named "wheel-nope" in /etc/group');
  });
});

describe('resolveOwner (--socket-owner)', () => {
  it('user, user:group, :group', () => {
    expect(resolveOwner('nobody')).toMatchObject({ uid: 65534 });
    expect(resolveOwner('nobody:root')).toMatchObject({ uid: 65534, gid: 0 });
    expect(resolveOwner(':root')).toMatchObject({ uid: process.getuid!(), gid: 0 });
  });

  it('refuses an empty owner and unknown names, naming --socket-owner', () => {
    expect(thrown(() => resolveOwner(':')).message).toBe(
      '--socket-owner: expected user, user:group or :group, got ":"',
    );
    expect(thrown(() => resolveOwner('ghost:root')).message).toBe(
      '--socket-owner: no user named "ghost" in /etc/passwd',
    );
  });
});

describe('switching to another user', () => {
  /** Run `code` in a child (as `uid`/`gid` when given) with the transpiled user.js as `m`; returns its stdout. */
  function child(code: string, ids: { uid?: number; gid?: number } = {}) {
    const url = pathToFileURL(join(transpiledPackage(), 'dist', 'security', 'user.js')).href;
    const script = `import(${JSON.stringify(url)}).then((m) => { ${code} })`;
    return spawnSync(process.execPath, ['-e', script], { ...ids, encoding: 'utf8' });
  }

  it('a worker forked with the resolved ids runs as nobody, without root supplementary groups', () => {
    const identity = resolveIdentity({ user: 'nobody' })!;
    const result = child(
      'console.log(JSON.stringify([process.getuid(), process.getgid(), process.getgroups()]))',
      identity,
    );
    if (!isRoot) {
      expect(result.error).toMatchObject({ code: 'EPERM' });
      return;
    }
    // Node lists the effective gid among the groups; root's supplementary groups are gone.
    expect(JSON.parse(result.stdout)).toEqual([65534, identity.gid, [identity.gid]]);
  });

  it('checkCanSwitch: root may; anyone else is told to start as root', () => {
    const root = { uid: 0, gid: 0, describe: 'root:root' };
    const code = `try { m.checkCanSwitch(${JSON.stringify(root)}); console.log('allowed'); } catch (e) { console.log(e.code + ' ' + e.message); }`;
    if (isRoot) {
      expect(() => checkCanSwitch(resolveIdentity({ user: 'nobody' })!)).not.toThrow();
      // As nobody (a real process switched by the kernel), switching to root is refused with the reason.
      const result = child(code, { uid: 65534, gid: 65534 });
      expect(result.stdout.trim()).toBe(
        'ERR_SCGI_NODE_PRIVILEGES --user/--group root:root needs the manager to start as root (it runs as uid 65534); start it as root, or drop the option to run as the current user',
      );
      // Its own identity is always fine.
      expect(
        child(`m.checkCanSwitch({ uid: 65534, gid: 65534, describe: 'n' }); console.log('ok')`, {
          uid: 65534,
          gid: 65534,
        }).stdout,
      ).toBe('ok\n');
    } else {
      expect(thrown(() => checkCanSwitch(root)).code).toBe('ERR_SCGI_NODE_PRIVILEGES');
    }
  });
});
