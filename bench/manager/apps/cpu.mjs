// Bench app: CPU-bound work per request (fib(27): a few ms of one core), so throughput depends on the cores workers get.
function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

export default function cpu(_req, res) {
  res.setHeader('Content-Type', 'text/plain');
  res.end(`fib(27) = ${fib(27)}\n`);
}
