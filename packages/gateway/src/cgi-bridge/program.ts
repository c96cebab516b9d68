// The bridge as the CGI program a web server runs: process.env, stdin and stdout; the exit code once answered.
import { runCgiBridge } from './bridge.js';
import { readRawEnvironment } from './raw-env.js';

/**
 * Relay this process's CGI request (`args`: the bridge's own arguments, e.g. the info file) and set
 * `process.exitCode`. Used by `scgi-cgi` and by `scgi-node cgi`; resolves to the exit code.
 */
export async function runCgiProgram(args: readonly string[]): Promise<number> {
  // process.stdin is created only when the request has a body: a GET never pays for it.
  let stdin: NodeJS.ReadStream | undefined;
  let code: number;
  try {
    code = await runCgiBridge({
      env: process.env,
      rawEnv: readRawEnvironment(),
      stdin: () => {
        stdin ??= process.stdin;
        return stdin;
      },
      stdout: process.stdout,
      stderr: process.stderr,
      args,
    });
  } catch (error) {
    process.stderr.write(`scgi-cgi: ${(error as Error).stack ?? String(error)}\n`);
    code = 1;
  }
  process.exitCode = code;
  // The body was read up to CONTENT_LENGTH; a paused stdin must not keep the process waiting for more.
  stdin?.destroy();
  return code;
}
