// Installs the lightweight Request/Response as the global ones (what `new Response()` in an app creates).
import { CompatRequest } from './request.js';
import { CompatResponse } from './response.js';

/**
 * Make `globalThis.Response` the lightweight one, so Hono's `c.text()`/`c.json()` bodies reach the
 * writer as given, and `globalThis.Request` accept a lightweight request as input. Both keep the
 * runtime classes' prototype chains: `instanceof Response` / `instanceof Request` still hold.
 * @hono/node-server does the same by default (`overrideGlobalObjects`).
 */
export function installGlobals(): void {
  if (globalThis.Response !== CompatResponse) {
    Object.defineProperty(globalThis, 'Response', {
      value: CompatResponse,
      writable: true,
      configurable: true,
    });
  }
  if (globalThis.Request !== CompatRequest) {
    Object.defineProperty(globalThis, 'Request', {
      value: CompatRequest,
      writable: true,
      configurable: true,
    });
  }
}
