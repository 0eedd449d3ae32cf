// The local server the extension starts, as a person sees it when its process dies: the
// status bar says so and restarts it in one click, the tree shows an error node in
// between, and the editor keeps working. Runs in the "e2e" tier of npm test.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runCommand, showSqsView, STEP_MS, workbench } from './workbench.mjs';

/** The status bar entry of the local server (its text starts with "SQS "). */
const statusItem = (page, text) => page.locator('#workbench\\.parts\\.statusbar .statusbar-item', { hasText: text }).first();

/** The PID of the local server process listening on `port`, found by its command line. */
function serverPid(port) {
  const lines = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).split('\n');
  const line = lines.find((l) => l.includes('local-sqs.js') && l.includes(`--port ${port} `));
  return line ? Number(line.trim().split(/\s+/)[0]) : undefined;
}

describe('e2e: the local server the extension starts', function () {
  this.timeout(120_000);
  let wb;
  before(async () => {
    wb = await workbench();
  });

  it('when its process is killed, says so in the status bar, shows an error node, and one click restarts it', async () => {
    const { page } = wb;
    await showSqsView(page);
    await runCommand(page, 'SQS: Start Local Server');
    const running = statusItem(page, /SQS 127\.0\.0\.1:\d+/);
    await running.waitFor({ timeout: STEP_MS });
    const port = Number((await running.innerText()).match(/:(\d+)/)[1]);
    const pid = serverPid(port);
    assert.ok(pid, `a local-sqs.js process listens on port ${port}`);
    const local = page.locator('.part.sidebar').getByRole('treeitem', { name: /^Local\b/ }).first();
    await local.waitFor({ timeout: STEP_MS });

    process.kill(pid, 'SIGKILL');
    const stopped = statusItem(page, 'SQS local server stopped');
    await stopped.waitFor({ timeout: STEP_MS });
    const error = page.locator('.part.sidebar').getByRole('treeitem', { name: new RegExp(`Cannot reach http://127\\.0\\.0\\.1:${port}`) }).first();
    await error.waitFor({ timeout: STEP_MS });
    assert.equal(await statusItem(page, 'running at').count(), 0, 'no "running at" message beside "stopped"');
    const picture = path.join(wb.folders.base, 'pictures', 'local-server-stopped.png');
    fs.mkdirSync(path.dirname(picture), { recursive: true });
    await page.screenshot({ path: picture });

    await stopped.click();
    await statusItem(page, `SQS 127.0.0.1:${port}`).waitFor({ timeout: STEP_MS });
    const restarted = serverPid(port);
    assert.ok(restarted && restarted !== pid, 'a new process serves the same port');
    await error.waitFor({ state: 'detached', timeout: STEP_MS });
    await runCommand(page, 'SQS: Stop Local Server');
    await statusItem(page, /SQS 127\.0\.0\.1:\d+/).waitFor({ state: 'detached', timeout: STEP_MS });
  });
});
