// The manager's signals: SIGTERM/SIGINT drain and stop, a second one kills, SIGHUP reloads.

export interface SignalActions {
  /** SIGTERM or SIGINT: drain and stop. */
  stop(signal: NodeJS.Signals): void;
  /** The same signal again while stopping: do not wait for the grace period. */
  forceStop(signal: NodeJS.Signals): void;
  /** SIGHUP: zero-downtime reload. */
  reload(): void;
}

/** Install the handlers; returns a function that removes them (so a stopped manager leaves none behind). */
export function installSignals(actions: SignalActions): () => void {
  let stopping = false;
  const onStop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      actions.forceStop(signal);
      return;
    }
    stopping = true;
    actions.stop(signal);
  };
  const onReload = (): void => actions.reload();
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
  process.on('SIGHUP', onReload);
  return () => {
    process.off('SIGTERM', onStop);
    process.off('SIGINT', onStop);
    process.off('SIGHUP', onReload);
  };
}
