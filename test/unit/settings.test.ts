import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { SETTINGS, SETTINGS_SECTION, Settings, coerceSetting, memorySettingsSource, type SettingKey } from '../../src/services/settings';

interface ContributedSetting {
  type: string;
  default: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
}

/** package.json's settings: the test runs from out/test/unit. */
function contributed(): Record<string, ContributedSetting> {
  const file = path.resolve(__dirname, '..', '..', '..', 'package.json');
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { contributes: { configuration: { properties: Record<string, ContributedSetting> } } };
  return pkg.contributes.configuration.properties;
}

describe('settings', () => {
  it('the table has every setting package.json contributes, with the same type, default and bounds', () => {
    const properties = contributed();
    const declared = Object.keys(properties).sort();
    assert.deepEqual(Object.keys(SETTINGS).map((k) => `${SETTINGS_SECTION}.${k}`).sort(), declared);
    for (const [key, spec] of Object.entries(SETTINGS)) {
      const json = properties[`${SETTINGS_SECTION}.${key}`];
      assert.equal(spec.type, json.type, `${key}: type`);
      assert.deepEqual(spec.default, json.default, `${key}: default`);
      assert.deepEqual(spec.enum, json.enum, `${key}: enum`);
      assert.equal(spec.minimum, json.minimum, `${key}: minimum`);
      assert.equal(spec.maximum, json.maximum, `${key}: maximum`);
    }
  });

  it('reads a value of the wrong type or outside the enum as the default, and a number out of bounds as the bound', () => {
    assert.equal(coerceSetting('localServer.port', '9325'), 9324);
    assert.equal(coerceSetting('localServer.port', 80.5), 9324);
    assert.equal(coerceSetting('localServer.port', 70_000), 65_535);
    assert.equal(coerceSetting('explorer.refreshIntervalSeconds', -3), 0);
    assert.equal(coerceSetting('explorer.refreshIntervalSeconds', 0.5), 0.5);
    assert.equal(coerceSetting('lifecycle.maxEvents', 10), 1_000);
    assert.equal(coerceSetting('inspector.onClose', 'forget'), 'release');
    assert.equal(coerceSetting('inspector.onClose', 'expire'), 'expire');
    assert.deepEqual(coerceSetting('connections', { name: 'x' }), []);
    assert.equal(coerceSetting('localServer.autoStart', 'true'), false);
    assert.equal(coerceSetting('localServer.region', undefined), 'us-east-1');
  });

  it('tells listeners which settings changed, and watchers the new value', async () => {
    const settings = new Settings(memorySettingsSource({ 'batchSend.concurrency': 4 }));
    assert.equal(settings.get('batchSend.concurrency'), 4);
    assert.equal(settings.get('explorer.attributeConcurrency'), 8);
    const changed: SettingKey[][] = [];
    const watched: number[] = [];
    settings.onDidChange((keys) => changed.push([...keys]));
    const watch = settings.watch('lifecycle.maxEvents', (v) => watched.push(v));
    await settings.update('batchSend.concurrency', 16);
    await settings.update('lifecycle.maxEvents', 5_000);
    watch.dispose();
    await settings.update('lifecycle.maxEvents', undefined);
    assert.deepEqual(changed, [['batchSend.concurrency'], ['lifecycle.maxEvents'], ['lifecycle.maxEvents']]);
    assert.deepEqual(watched, [5_000]);
    assert.equal(settings.get('lifecycle.maxEvents'), 100_000);
    settings.dispose();
  });
});
