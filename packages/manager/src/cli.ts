#!/usr/bin/env node
// The `scgi-node` bin: run the command line, then exit with its code once the output is flushed.

if (process.argv[2] === 'cgi') {
  // A CGI program starts once per request: straight to the bundled bridge, loading nothing of the manager.
  const { runCgiProgram } = await import('@scgi-node/gateway/cgi-bridge');
  await runCgiProgram(process.argv.slice(3));
} else {
  const { runCli } = await import('./cli/run-cli.js');
  const code = await runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: process.stderr.isTTY === true,
  });
  process.exitCode = code;
  // A stopped manager must not linger on a forgotten timer or socket: exit once stdout and stderr drained.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
