// The bridge inside a V8 startup snapshot: its code is deserialized with Node instead of being compiled.
// Run as `node --snapshot-blob scgi-cgi.blob [info file]`; bundled to CommonJS by bundle.mjs first.
import { startupSnapshot } from 'node:v8';
import { runCgiBridge } from '../../packages/gateway/dist/cgi-bridge/bridge.js';
import { readRawEnvironment } from '../../packages/gateway/dist/cgi-bridge/raw-env.js';

startupSnapshot.setDeserializeMainFunction(() => {
  let stdin;
  runCgiBridge({
    env: process.env,
    rawEnv: readRawEnvironment(),
    stdin: () => {
      stdin ??= process.stdin;
      return stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
    // With a snapshot there is no script argument: argv is [node, ...args].
    args: process.argv.slice(1),
  }).then((code) => {
    process.exitCode = code;
    stdin?.destroy();
  });
});
