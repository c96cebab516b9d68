// The "before" of the start-up figures: the same bridge with nothing loaded lazily, reached through the
// package roots (as `import { runCgiBridge } from '@scgi-node/gateway'` would load it).
import '../../packages/core/dist/index.js';
import 'node:os';
import '../../packages/gateway/dist/cgi-bridge/activation.js';
import '../../packages/gateway/dist/response-buffer.js';
import { readRawEnvironment } from '../../packages/gateway/dist/cgi-bridge/raw-env.js';
import { runCgiBridge } from '../../packages/gateway/dist/index.js';

const code = await runCgiBridge({
  env: process.env,
  rawEnv: readRawEnvironment(),
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  args: process.argv.slice(2),
});
process.exitCode = code;
process.stdin.destroy();
