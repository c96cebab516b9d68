// The process environment's exact bytes (Linux /proc/self/environ): Node decodes process.env as UTF-8, lossily.
import { readFileSync } from 'node:fs';

/**
 * The environment this process started with, each value as a latin1 string (one char per byte), or
 * undefined where /proc is missing. A header with a latin1 byte (legal obs-text) would be U+FFFD in
 * process.env; from here it reaches the worker as the byte the client sent.
 */
export function readRawEnvironment(): Record<string, string> | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync('/proc/self/environ');
  } catch {
    return undefined;
  }
  const env: Record<string, string> = {};
  for (const entry of bytes.toString('latin1').split('\x00')) {
    const equals = entry.indexOf('=');
    if (equals > 0) env[entry.slice(0, equals)] = entry.slice(equals + 1);
  }
  return env;
}
