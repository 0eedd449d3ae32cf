import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { localServerArgs } from '../../src/services/localServer';
import { Settings, memorySettingsSource } from '../../src/services/settings';

describe('local server process: command line from the settings', () => {
  it('passes no data directory by default: the server stays in memory', () => {
    const args = localServerArgs(new Settings(memorySettingsSource({})), 9324);
    assert.equal(args.includes('--data-dir'), false);
    assert.deepEqual(args.slice(0, 4), ['--host', '127.0.0.1', '--port', '9324']);
  });

  it('passes the dataDir setting as --data-dir, relative paths and ~ taken from the home directory', () => {
    const dataDir = (value: string): string | undefined => {
      const args = localServerArgs(new Settings(memorySettingsSource({ 'localServer.dataDir': value })), 0);
      const at = args.indexOf('--data-dir');
      return at < 0 ? undefined : args[at + 1];
    };
    const absolute = path.resolve(os.tmpdir(), 'sqs-data');
    assert.equal(dataDir(absolute), absolute);
    assert.equal(dataDir('~/sqs-data'), path.join(os.homedir(), 'sqs-data'));
    assert.equal(dataDir('sqs-data'), path.join(os.homedir(), 'sqs-data'));
    assert.equal(dataDir('   '), undefined);
  });

  it('passes the fsync setting only with a data directory, and only when it is not the default', () => {
    const args = (values: Record<string, unknown>): string[] => localServerArgs(new Settings(memorySettingsSource(values)), 0);
    assert.equal(args({ 'localServer.dataDir': '~/q' }).includes('--fsync'), false, 'always is the server\'s own default');
    const interval = args({ 'localServer.dataDir': '~/q', 'localServer.fsync': 'interval' });
    assert.equal(interval[interval.indexOf('--fsync') + 1], 'interval');
    assert.equal(args({ 'localServer.fsync': 'interval' }).includes('--fsync'), false, 'nothing to flush without a data directory');
  });
});
