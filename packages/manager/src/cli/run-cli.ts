// runCli: what the `scgi-node` bin does with its arguments, returning the exit code (0 ok, 1 failure, 2 misuse).
import { readFileSync } from 'node:fs';
import { loadApp } from '../app/load-app.js';
import { isManagerError } from '../errors.js';
import { fetchStatus, formatStatus } from '../status/status-client.js';
import { renderHelp } from './help.js';
import { parseCommandLine } from './parse-args.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Whether stderr (where the logs go) is a terminal: pretty logs by default then. */
  isTTY?: boolean;
}

/** The package version, from its package.json (next to dist/ and src/). */
export function packageVersion(): string {
  const json = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return json.version;
}

/** Run one command line; errors are printed as one `scgi-node: …` line and turned into the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const parsed = parseCommandLine(argv, { isTTY: io.isTTY === true });
    switch (parsed.command) {
      case 'help':
        io.stdout.write(renderHelp());
        return EXIT_OK;
      case 'version':
        io.stdout.write(`${packageVersion()}\n`);
        return EXIT_OK;
      case 'status': {
        const view = await fetchStatus(parsed.statusSocket);
        io.stdout.write(parsed.json ? `${JSON.stringify(view, null, 2)}\n` : formatStatus(view));
        return EXIT_OK;
      }
      case 'check': {
        const app = await loadApp(parsed.app, parsed.exportName);
        io.stdout.write(`${parsed.app}: ${app.describe} (${app.kind}), export "${parsed.exportName}"\n`);
        return EXIT_OK;
      }
      case 'cgi': {
        // The CGI bridge on this process's CGI request (the bin goes there directly, before this module).
        const { runCgiProgram } = await import('@scgi-node/gateway/cgi-bridge');
        return await runCgiProgram(parsed.args);
      }
      case 'serve': {
        // Loaded here, so that --help, status and check never load the pool.
        const { startManager } = await import('../manager.js');
        const manager = await startManager(parsed.options);
        const exit = await manager.closed;
        if (exit.error !== undefined) io.stderr.write(`scgi-node: ${exit.error.message}\n`);
        return exit.code;
      }
    }
  } catch (error) {
    if (!isManagerError(error)) throw error;
    const hint = error.exitCode === EXIT_USAGE ? ' (see scgi-node --help)' : '';
    io.stderr.write(`scgi-node: ${error.message}${hint}\n`);
    return error.exitCode;
  }
}
