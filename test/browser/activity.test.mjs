// The queue activity in the inspector's header, in real Chromium: the chart and its text
// alternative, the empty state, and queue names from the host drawn as text.
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPTIONS, QUEUE, SUMMARY, usePage } from './inspectorPage.mjs';

const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../out/screenshots');

/** Ten samples, 5 s apart, ending now: a queue filling while a consumer keeps some in flight. */
function samples(now) {
  return Array.from({ length: 10 }, (_, i) => ({ at: now - (9 - i) * 5_000, visible: 2 * i, inflight: i % 4, delayed: i < 5 ? 1 : 0 }));
}

describe('queue activity in the inspector header (Chromium)', function () {
  this.timeout(60_000);
  let page;
  const fixture = usePage();
  beforeEach(() => (page = fixture.page));

  const { deliver } = fixture;
  const state = () => deliver({ method: 'host/state/set', params: { queue: QUEUE, options: OPTIONS, messages: [], summary: SUMMARY, now: Date.now() } });
  const activity = (params) => deliver({ method: 'host/activity/set', params });
  const chart = () => page.locator('section.activity svg.activity-chart');

  it('stays hidden until the host sends figures, then shows the empty state in words', async () => {
    await state();
    await page.getByRole('heading', { name: 'orders' }).waitFor();
    assert.equal(await page.locator('section.activity').isHidden(), true, 'a saved session has no activity: nothing is shown');
    await activity({ samples: [], ratesNote: 'Sends, receives and deletes per second need the SQS Workbench local server, whose trace sees every client.' });
    await chart().waitFor();
    assert.equal(await chart().getAttribute('aria-label'), 'Queue activity: no sample yet.');
    assert.equal(await chart().locator('text.empty').textContent(), 'no sample yet');
    assert.equal(await chart().locator('polyline').count(), 0);
    assert.equal(await page.locator('.activity-rates').textContent(), 'Sends, receives and deletes per second need the SQS Workbench local server, whose trace sees every client.');
  });

  it('draws the three series and says every figure in its text alternative', async () => {
    await state();
    const now = Date.now();
    await activity({ samples: samples(now), rates: { sends: 4.25, receives: 3.5, deletes: 12.4, seconds: 10 }, oldest: { seconds: 75, source: 'server' } });
    await chart().locator('polyline.series-visible').waitFor();
    const label = await chart().getAttribute('aria-label');
    assert.equal(
      label,
      'Queue activity over the last 1 min: 18 visible, 1 in flight, 0 delayed. 4.3 sends, 3.5 receives, 12 deletes per second over 10 s. Oldest message: 1 min 15 s old (exact, from the local server).',
    );
    assert.equal(await chart().locator('title').textContent(), label, 'a tooltip says the same');
    assert.deepEqual(await chart().locator('polyline').evaluateAll((ls) => ls.map((l) => [l.getAttribute('class'), l.getAttribute('points').split(' ').length])), [
      ['series-visible', 10],
      ['series-inflight', 10],
      ['series-delayed', 10],
    ]);
    const colours = await chart().locator('polyline').evaluateAll((ls) => ls.map((l) => getComputedStyle(l).stroke));
    assert.equal(new Set(colours).size, 3, `each series has its own theme colour: ${colours.join(', ')}`);
    assert.ok(!colours.includes('none'), `every series is drawn: ${colours.join(', ')}`);
    assert.deepEqual(await page.locator('.activity-legend .legend').allTextContents(), ['18 visible', '1 in flight', '0 delayed']);
    assert.equal(await page.locator('.activity-rates').innerText(), '4.3 sends/s · 3.5 receives/s · 12 deletes/s');
    await page.locator('header').screenshot({ path: path.join(SHOTS, 'activity-header.png') });
    assert.deepEqual(await page.evaluate(() => window.__violations), [], 'the CSP blocks none of the page\'s own files');
  });

  it('shows why a figure is missing, and a DLQ filling, with untrusted names as text', async () => {
    await state();
    const hostile = '<img src=x onerror="window.__pwned=1">-dlq';
    await activity({
      samples: samples(Date.now()).slice(-1),
      ratesNote: 'Sends, receives and deletes per second need the SQS Workbench local server, whose trace sees every client.',
      oldest: { unavailable: 'CloudWatch refused these credentials (AccessDenied): showing the age of the oldest message needs cloudwatch:GetMetricStatistics.' },
      dlqNotice: `Dead-letter queue ${hostile} is filling: 0 → 3 messages visible (seen at 10:00:00).`,
      error: 'Reading the queue\'s counts failed: <b>boom</b>',
    });
    const notice = page.locator('.activity-dlq');
    await notice.waitFor();
    assert.equal(await notice.getAttribute('role'), 'alert');
    assert.equal(await notice.textContent(), `Dead-letter queue ${hostile} is filling: 0 → 3 messages visible (seen at 10:00:00).`);
    assert.equal(await page.locator('section.activity img').count(), 0, 'the name stays text');
    assert.equal(await page.locator('.activity-error b').count(), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.match(await page.locator('.activity-oldest').textContent(), /^Oldest message: unknown\. CloudWatch refused these credentials \(AccessDenied\)/);
    assert.equal(await page.locator('.activity-rates').textContent(), 'Sends, receives and deletes per second need the SQS Workbench local server, whose trace sees every client.');
    assert.equal(await chart().locator('polyline.series-visible').getAttribute('points').then((p) => p.split(' ').length), 2, 'one sample draws as a short level line');
    await page.locator('header').screenshot({ path: path.join(SHOTS, 'activity-header-notice.png') });
  });
});
