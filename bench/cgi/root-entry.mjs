// The bridge imported through the package root (`import { runCgiBridge } from '@scgi-node/gateway'`): the
// HTTP gateway and core's server load with it, though the bridge's own lazy imports stay lazy.
import { readRawEnvironment, runCgiBridge } from '../../packages/gateway/dist/index.js';

let stdin;
process.exitCode = await runCgiBridge({
  env: process.env,
  rawEnv: readRawEnvironment(),
  stdin: () => {
    stdin ??= process.stdin;
    return stdin;
  },
  stdout: process.stdout,
  stderr: process.stderr,
  args: process.argv.slice(2),
});
stdin?.destroy();
