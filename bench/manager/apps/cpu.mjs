// Bench app: CPU-bound work per request (fib(BENCH_FIB), default 30: ~10 ms of one core), so throughput
// depends on the cores the workers get, and nginx's and wrk's share of each request stays near 1%.
const DEPTH = Number(process.env.BENCH_FIB ?? 30);

function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

export default function cpu(_req, res) {
  res.setHeader('Content-Type', 'text/plain');
  res.end(`fib(${DEPTH}) = ${fib(DEPTH)}\n`);
}
