#!/usr/bin/env node
// The `scgi-node` bin: run the command line, then exit with its code once the output is flushed.
import { runCli } from './cli/run-cli.js';

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  isTTY: process.stderr.isTTY === true,
});
process.exitCode = code;
// A stopped manager must not linger on a forgotten timer or socket: exit once stdout and stderr drained.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
