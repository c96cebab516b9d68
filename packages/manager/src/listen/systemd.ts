// systemd socket activation: pick the descriptor from LISTEN_FDS / LISTEN_PID / LISTEN_FDNAMES (sd_listen_fds(3)).
import { ManagerError } from '../errors.js';

/** The first descriptor systemd passes (SD_LISTEN_FDS_START). */
export const SD_LISTEN_FDS_START = 3;

/**
 * Choose the socket for `--listen systemd` (the only one passed) or `--listen systemd:NAME` (by its
 * FileDescriptorName=), check that the variables are meant for this process, and remove them from
 * `env` as sd_listen_fds(1) does, so that the workers and their children do not take them for theirs.
 */
export function adoptSystemdSocket(
  listen: string,
  env: NodeJS.ProcessEnv,
  pid: number,
): { fd: number; name: string | undefined } {
  const { LISTEN_FDS: countText, LISTEN_PID: pidText, LISTEN_FDNAMES: namesText } = env;
  if (countText === undefined) {
    throw new ManagerError(
      'ERR_SCGI_NODE_LISTEN',
      `--listen ${listen}: LISTEN_FDS is not set, so systemd passed no socket (start scgi-node from a .socket unit, or listen on unix:/path or host:port)`,
    );
  }
  if (pidText !== undefined && pidText !== String(pid)) {
    throw new ManagerError(
      'ERR_SCGI_NODE_LISTEN',
      `--listen ${listen}: LISTEN_PID is ${pidText}, not this process (${pid}): the sockets were passed to another process`,
    );
  }
  const count = /^\d+$/.test(countText) ? Number(countText) : 0;
  if (count < 1) {
    throw new ManagerError(
      'ERR_SCGI_NODE_LISTEN',
      `--listen ${listen}: LISTEN_FDS is "${countText}": no socket was passed`,
    );
  }
  const names = namesText === undefined ? [] : namesText.split(':');
  let index = 0;
  if (listen.startsWith('systemd:')) {
    const wanted = listen.slice('systemd:'.length);
    index = names.indexOf(wanted);
    if (index === -1 || index >= count) {
      throw new ManagerError(
        'ERR_SCGI_NODE_LISTEN',
        `--listen ${listen}: systemd passed no socket named "${wanted}" (LISTEN_FDNAMES=${namesText ?? 'unset'})`,
      );
    }
  } else if (count > 1) {
    throw new ManagerError(
      'ERR_SCGI_NODE_LISTEN',
      `--listen ${listen}: systemd passed ${count} sockets (${names.join(', ') || 'unnamed'}); choose one with --listen systemd:NAME (FileDescriptorName= in the .socket unit)`,
    );
  }
  delete env.LISTEN_FDS;
  delete env.LISTEN_PID;
  delete env.LISTEN_FDNAMES;
  return { fd: SD_LISTEN_FDS_START + index, name: names[index] };
}
