// Test support: the package's src transpiled to JavaScript (no type check) in a temp copy, for real child processes.
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { afterAll } from 'vitest';

const PACKAGE_DIR = join(import.meta.dirname, '..', '..');
const SRC = join(PACKAGE_DIR, 'src');
let built: string | undefined;

// Registered when a test file imports this module: the copy goes with the file's tests.
afterAll(() => {
  if (built !== undefined) rmSync(built, { recursive: true, force: true });
  built = undefined;
});

/**
 * A copy of the package as it is published, `dist/` made from the current src with TypeScript's
 * transpiler (each file alone: fast, and independent of type errors elsewhere), with its package.json
 * and node_modules. Returns the copy's root; `dist/cli.js` is the bin. Built once per test process.
 */
export function transpiledPackage(): string {
  if (built !== undefined) return built;
  const root = mkdtempSync(join(tmpdir(), 'scgi-manager-js-'));
  chmodSync(root, 0o755); // readable by a child switched to another user (nobody)
  for (const file of sources(SRC)) {
    const out = join(root, 'dist', relative(SRC, file)).replace(/\.ts$/, '.js');
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
    });
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, outputText, { mode: file.endsWith('cli.ts') ? 0o755 : 0o644 });
  }
  writeFileSync(join(root, 'package.json'), readFileSync(join(PACKAGE_DIR, 'package.json')));
  symlinkSync(join(PACKAGE_DIR, 'node_modules'), join(root, 'node_modules'));
  built = root;
  return root;
}

function* sources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'test-support' && entry.name !== 'fixtures') yield* sources(path);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
      yield path;
    }
  }
}
