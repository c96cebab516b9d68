// The request's CGI variables when it came over SCGI (c.env from @scgi-node/hono), undefined otherwise.

/** CGI variables as @scgi-node/hono passes them in `c.env`; off SCGI `c.env` is something else. */
export type CgiRecord = Readonly<Record<string, string | undefined>>;

/**
 * `c.env` is the CGI variables under @scgi-node/hono, and `{ incoming, outgoing }` under
 * @hono/node-server: every SCGI request has `REQUEST_METHOD`, so that tells the two apart.
 */
export function cgiOf(env: unknown): CgiRecord | undefined {
  if (typeof env !== 'object' || env === null) return undefined;
  return typeof (env as Record<string, unknown>).REQUEST_METHOD === 'string' ? (env as CgiRecord) : undefined;
}
