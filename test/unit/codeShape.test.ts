import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/** The extension's and the page's sources: the test runs from out/test/unit. */
const ROOT = path.resolve(__dirname, '..', '..', '..');
const FOLDERS = ['src', 'webview'];
/** A module past this many lines does more than one thing; a function past this many is read in pieces. */
const MAX_FILE_LINES = 500;
const MAX_FUNCTION_LINES = 80;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

interface Sized {
  readonly where: string;
  readonly lines: number;
}

/** Every function with a body (declarations, methods, arrows, accessors), with its length in lines. */
function functionsOf(file: string, text: string): Sized[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Sized[] = [];
  const lineOf = (pos: number): number => source.getLineAndCharacterOfPosition(pos).line;
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const name = node.name?.getText(source) ?? (ts.isVariableDeclaration(node.parent) ? node.parent.name.getText(source) : '(anonymous)');
      found.push({ where: `${path.relative(ROOT, file)}:${lineOf(node.getStart(source)) + 1} ${name}`, lines: lineOf(node.end) - lineOf(node.getStart(source)) + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('the shape of the code', () => {
  const files = FOLDERS.flatMap((f) => sourceFiles(path.join(ROOT, f)));

  it('finds the sources', () => {
    assert.ok(files.length > 50, `${files.length} files under ${FOLDERS.join(', ')}`);
  });

  it(`keeps every module under ${MAX_FILE_LINES} lines`, () => {
    const long = files
      .map((file) => ({ where: path.relative(ROOT, file), lines: readFileSync(file, 'utf8').split('\n').length }))
      .filter((f) => f.lines > MAX_FILE_LINES);
    assert.deepEqual(long, [], 'split these by responsibility');
  });

  it(`keeps every function under ${MAX_FUNCTION_LINES} lines`, () => {
    const long = files.flatMap((file) => functionsOf(file, readFileSync(file, 'utf8'))).filter((f) => f.lines > MAX_FUNCTION_LINES);
    assert.deepEqual(long, [], 'split these into named steps');
  });
});
