// Bench app: the smallest answer, so what is measured is the way the request reaches the worker.
export default function hello(_req, res) {
  res.setHeader('Content-Type', 'text/plain');
  res.end('Hello World!');
}
