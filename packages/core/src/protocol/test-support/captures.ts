// The captured front-server requests of fixtures/frontend-requests.json, typed, for tests.

/** One captured request: ordered pairs as the server sent them (repeats kept), and body sizes. */
export interface CapturedRequest {
  mode: 'default' | 'nobuf';
  server: 'nginx' | 'apache2' | 'lighttpd';
  case: string;
  headers: Array<[string, string]>;
  content_length: string;
  body_len: number;
  /** Bytes the server sent after CONTENT_LENGTH bytes of body (nginx 1.22, scgi_request_buffering off). */
  extra_after_body: number;
  dup_keys: string[];
  netstring_len: number;
}

// A non-literal specifier keeps tsc from resolving the JSON (no resolveJsonModule here); vitest loads it.
const FIXTURE_PATH = '../fixtures/frontend-requests.json';
const fixture: { requests: CapturedRequest[] } = (await import(FIXTURE_PATH, { with: { type: 'json' } }))
  .default;

/** Every captured request, in capture order. */
export const capturedRequests: readonly CapturedRequest[] = fixture.requests;

/** The capture of `name` from `server` in the default (buffered) configuration. */
export function capture(server: CapturedRequest['server'], name: string): CapturedRequest {
  const request = capturedRequests.find(
    (r) => r.mode === 'default' && r.server === server && r.case === name,
  );
  if (request === undefined) throw new Error(`no capture ${server} ${name}`);
  return request;
}
