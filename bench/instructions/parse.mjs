// Instructions to parse one request head, counted by callgrind: the protocol core alone, without sockets,
// for cuts in the decoder that the whole-request count (count.mjs) cannot resolve from run-to-run noise.
// Usage: node instructions/parse.mjs [heads=40000] [clients=one] (SCGI_BENCH_PROTOCOL: see below). The
// heads are the ones count.mjs sends, nginx's for `GET /` (nginx-get.mjs) from one client port after
// another, parsed as a worker parses each request: a new RequestParser, the bytes, the head and end
// events. `clients`: `one` (that head), `alternate` (two clients with other headers, a browser's and
// curl's, in turn) or `pairs` (the same two, each sending two requests in a row): the decoder's block
// template helps one client, and must cost little when clients take turns.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS, valgrindVersion } from './count.mjs';
import { nextNginxGetHead } from './nginx-get.mjs';

const CLIENTS = process.argv[process.argv[2] === '--child' ? 4 : 3] ?? 'one';
const BROWSER = [
  ['HTTP_USER_AGENT', 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'],
  ['HTTP_ACCEPT', 'text/html,application/xhtml+xml'],
  ['HTTP_ACCEPT_LANGUAGE', 'en-US,en;q=0.5'],
];
const CURL = [
  ['HTTP_USER_AGENT', 'curl/8.5.0'],
  ['HTTP_ACCEPT', '*/*'],
];
/** Which client's headers the `i`th head carries besides nginx's (none for `one`). */
function clientHeaders(i) {
  if (CLIENTS === 'one') return [];
  if (CLIENTS !== 'alternate' && CLIENTS !== 'pairs') throw new Error(`unknown clients: ${CLIENTS}`);
  const turn = CLIENTS === 'alternate' ? i : i >> 1;
  return turn % 2 === 0 ? BROWSER : CURL;
}

// SCGI_BENCH_PROTOCOL: another build of @scgi-node/core/protocol (its dist/protocol/index.js), to compare.
const { RequestParser } = await import(process.env.SCGI_BENCH_PROTOCOL ?? '@scgi-node/core/protocol');

const WARM_UP = 20_000;
/** Encoded before counting, and taken in turn: each differs from the one before in its REMOTE_PORT. */
const HEADS = Array.from({ length: 64 }, (_, i) => nextNginxGetHead(clientHeaders(i)));

/** Parse `count` heads after the warm-up (the child side of this script). */
function parseHeads(count) {
  let variables = 0;
  for (let i = 0; i < WARM_UP + count; i++) {
    const parser = new RequestParser();
    parser.receive(HEADS[i % HEADS.length]);
    const event = parser.nextEvent();
    if (event?.type !== 'headers' || parser.nextEvent()?.type !== 'end') throw new Error('bad parse');
    variables += event.pairs.length;
  }
  return variables;
}

/** Instructions of a process that parses `count` heads. */
function instructions(count) {
  const script = fileURLToPath(import.meta.url);
  const run = spawnSync(
    'valgrind',
    [
      '--tool=callgrind',
      '--callgrind-out-file=/dev/null',
      process.execPath,
      ...NODE_FLAGS,
      script,
      '--child',
      String(count),
      CLIENTS,
    ],
    { encoding: 'utf8' },
  );
  const refs = /refs:\s+([\d,]+)/.exec(run.stderr)?.[1];
  if (run.status !== 0 || refs === undefined) throw new Error(`callgrind run failed: ${run.stderr}`);
  return Number(refs.replaceAll(',', ''));
}

if (process.argv[2] === '--child') {
  parseHeads(Number(process.argv[3]));
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (valgrindVersion() === undefined) {
    console.error('valgrind is missing: apt-get install valgrind');
    process.exit(1);
  }
  const heads = Number(process.argv[2] ?? 40_000);
  const perHead = (instructions(heads * 1.5) - instructions(heads / 2)) / heads;
  const sizes = [...new Set(HEADS.map((head) => head.length))].join(' and ');
  console.log(`${Math.round(perHead)} instructions to parse one ${sizes}-byte head (clients: ${CLIENTS})`);
}
