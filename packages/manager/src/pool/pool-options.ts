// From the manager's options to the pool's: the policy, the worker's start config, the limits.

import type { Logger } from '../log/logger.js';
import type { ManagerOptions } from '../options.js';
import { LOOPBACK_CIDRS } from '../security/allow-list.js';
import type { PoolOptions } from './pool.js';

/** The pool's options for a manager started with `options` on the socket `listenFd`. */
export function poolOptions(
  options: ManagerOptions,
  listenFd: number,
  identity: { uid: number; gid: number } | undefined,
  logger: Logger,
): PoolOptions {
  return {
    listenFd,
    policy: {
      min: options.workers.min,
      max: options.workers.max,
      spare: options.spare,
      concurrency: options.concurrency,
      idleTimeoutMs: options.idleTimeoutMs,
    },
    worker: {
      module: options.app,
      exportName: options.exportName,
      timeoutMs: options.timeoutMs,
      // Checked by every worker on each accepted TCP connection (a unix peer has no address and passes).
      allow: options.allow ?? [...LOOPBACK_CIDRS],
      graceMs: options.graceMs,
      limits: {
        maxHeaderBytes: options.maxHeaderBytes,
        maxBodyBytes: options.maxBodyBytes,
        headersTimeoutMs: options.headersTimeoutMs,
        idleTimeoutMs: options.connectionIdleTimeoutMs,
        allowHalfClose: options.allowHalfClose,
      },
    },
    maxRequests: options.maxRequests,
    maxRequestsJitter: options.maxRequestsJitter,
    maxMemoryBytes: options.maxMemoryBytes,
    readyTimeoutMs: options.readyTimeoutMs,
    graceMs: options.graceMs,
    crash: {
      budget: options.crashBudget,
      windowMs: options.crashWindowMs,
      backoffMs: options.crashBackoffMs,
      backoffMaxMs: options.crashBackoffMaxMs,
    },
    ...(identity === undefined ? {} : { uid: identity.uid, gid: identity.gid }),
    logger,
  };
}
