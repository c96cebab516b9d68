// systemd readiness (sd_notify): READY=1, RELOADING=1, STOPPING=1, STATUS= sent through `systemd-notify` when NOTIFY_SOCKET is set.
import { spawn } from 'node:child_process';

/** The program that sends the datagram: Node has no unix datagram sockets, systemd ships this one. */
export const SYSTEMD_NOTIFY = 'systemd-notify';

export interface NotifyOptions {
  /** Default process.env; nothing is sent when it has no NOTIFY_SOCKET. */
  env?: NodeJS.ProcessEnv;
  /** The service's main pid, sent as MAINPID= (default process.pid). */
  pid?: number;
  /** Called when systemd-notify cannot run or fails (it never throws). */
  onError?: (error: Error) => void;
}

/**
 * Send `fields` (e.g. `{ READY: '1', STATUS: '4 workers' }`) to the service manager. Resolves true once
 * systemd-notify has delivered them, false when there is no NOTIFY_SOCKET or sending failed.
 *
 * systemd-notify is a separate process, so the unit needs `NotifyAccess=all` (a message from a process
 * other than the main pid is otherwise ignored); `--pid` names the manager as MAINPID. Since systemd 246
 * systemd-notify waits until the manager has read the message, so it is not lost when it exits first.
 */
export function sdNotify(fields: Record<string, string>, options: NotifyOptions = {}): Promise<boolean> {
  const env = options.env ?? process.env;
  if (!env.NOTIFY_SOCKET) return Promise.resolve(false);
  const args = [`--pid=${options.pid ?? process.pid}`];
  // One VARIABLE=VALUE per argument; a newline would start another variable in the datagram.
  for (const [name, value] of Object.entries(fields)) args.push(`${name}=${value.replace(/\n/g, ' ')}`);
  return new Promise((resolve) => {
    const child = spawn(SYSTEMD_NOTIFY, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', (error) => {
      options.onError?.(error);
      resolve(false);
    });
    child.once('close', (code) => {
      if (code !== 0 && code !== null) {
        options.onError?.(new Error(`${SYSTEMD_NOTIFY} exited ${code}: ${stderr.trim()}`));
      }
      resolve(code === 0);
    });
  });
}

/** The workers are ready: `Type=notify` units become active. */
export function notifyReady(status?: string, options?: NotifyOptions): Promise<boolean> {
  return sdNotify(status === undefined ? { READY: '1' } : { READY: '1', STATUS: status }, options);
}

/** A reload (SIGHUP) began; send {@link notifyReady} when the new workers are ready (`Type=notify-reload`). */
export function notifyReloading(status?: string, options?: NotifyOptions): Promise<boolean> {
  // systemd 253+ wants the CLOCK_MONOTONIC time of the reload request with RELOADING=1.
  const fields: Record<string, string> = {
    RELOADING: '1',
    MONOTONIC_USEC: String(process.hrtime.bigint() / 1000n),
  };
  if (status !== undefined) fields.STATUS = status;
  return sdNotify(fields, options);
}

/** The manager is draining and will exit. */
export function notifyStopping(status?: string, options?: NotifyOptions): Promise<boolean> {
  return sdNotify(status === undefined ? { STOPPING: '1' } : { STOPPING: '1', STATUS: status }, options);
}

/** A free-form status line (`systemctl status` shows it). */
export function notifyStatus(status: string, options?: NotifyOptions): Promise<boolean> {
  return sdNotify({ STATUS: status }, options);
}
