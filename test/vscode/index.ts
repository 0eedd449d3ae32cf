import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

function findTestFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return findTestFiles(full);
      return entry.isFile() && entry.name.endsWith('.test.js') ? [full] : [];
    });
}

/**
 * Entry point that VS Code's extension host calls for `--extensionTestsPath`: runs every
 * compiled `*.test.js` beside this file and prints the summary line `N passed, N failed`.
 */
export function run(): Promise<void> {
  const grep = process.env.SQS_TEST_GREP;
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 20_000, ...(grep ? { grep } : {}) });
  const files = findTestFiles(__dirname);
  if (files.length === 0) return Promise.reject(new Error(`no *.test.js files under ${__dirname}`));
  files.forEach((file) => mocha.addFile(file));

  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      console.log(`${runner.stats?.passes ?? 0} passed, ${failures} failed`);
      if (failures > 0) reject(new Error(`${failures} VS Code test(s) failed`));
      else resolve();
    });
  });
}
