import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { configuredConnections, credentialsFor, environmentConnection, parseIni, readProfiles } from '../../src/sqs/connections';

describe('connections', () => {
  it('parses the shared AWS files, skipping comments and nested settings', () => {
    const ini = parseIni(['# comment', '[default]', 'region = eu-west-1', '[profile dev]  ; trailing', 'sso_session = corp', 'services = local', '  sqs =', '    endpoint_url = http://x', 'endpoint_url=http://localhost:4566'].join('\n'));
    assert.deepEqual(ini.get('default'), { region: 'eu-west-1' });
    assert.deepEqual(ini.get('profile dev'), { sso_session: 'corp', services: 'local', endpoint_url: 'http://localhost:4566' });
  });

  it('reads the profiles of both files, default first, honouring the file variables', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'aws-'));
    writeFileSync(path.join(dir, 'config'), '[profile zeta]\nregion = ap-south-1\n[default]\nregion = eu-west-1\n[profile sso-dev]\nsso_start_url = https://x\n[sso-session corp]\nsso_region = us-east-1\n');
    writeFileSync(path.join(dir, 'credentials'), '[alpha]\naws_access_key_id = AKIA\n[zeta]\naws_access_key_id = AKIB\n');
    const profiles = await readProfiles({ AWS_CONFIG_FILE: path.join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials') });
    assert.deepEqual(profiles.map((p) => p.name), ['default', 'alpha', 'sso-dev', 'zeta']);
    assert.equal(profiles.find((p) => p.name === 'sso-dev')?.sso, true);
    assert.equal(profiles.find((p) => p.name === 'zeta')?.region, 'ap-south-1');
    assert.deepEqual(await readProfiles({ AWS_CONFIG_FILE: path.join(dir, 'missing'), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'missing') }), []);
  });

  it('sends real keys to a server on this machine only when a configured connection names a profile', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'aws-'));
    writeFileSync(path.join(dir, 'credentials'), '[default]\naws_access_key_id = AKIAREALDEFAULT\naws_secret_access_key = s1\n[dev]\naws_access_key_id = AKIAREALDEV\naws_secret_access_key = s2\n');
    const saved = { ...process.env };
    process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(dir, 'credentials');
    process.env.AWS_CONFIG_FILE = path.join(dir, 'missing');
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    delete process.env.AWS_PROFILE;
    try {
      const keyOf = async (c: Parameters<typeof credentialsFor>[0], env: NodeJS.ProcessEnv = {}): Promise<string> => (await credentialsFor(c, env)()).accessKeyId;
      const local = 'http://127.0.0.1:4566';
      assert.equal(await keyOf({ id: 'env', name: 'e', kind: 'environment', region: 'us-east-1', endpoint: local, profile: 'dev' }), 'local', 'the environment connection to a local port: placeholder keys');
      assert.equal(await keyOf({ id: 'config:ls', name: 'ls', kind: 'configured', region: 'us-east-1', endpoint: local }), 'local', 'no profile named: placeholder keys, not the default profile');
      assert.equal(await keyOf({ id: 'config:ls', name: 'ls', kind: 'configured', region: 'us-east-1', endpoint: local }, { AWS_ACCESS_KEY_ID: '000000000042', AWS_SECRET_ACCESS_KEY: 'x' }), '000000000042', 'keys set in the environment for the local server are used');
      assert.equal(await keyOf({ id: 'config:ls', name: 'ls', kind: 'configured', region: 'us-east-1', endpoint: local, profile: 'dev' }), 'AKIAREALDEV', 'a named profile is used as asked');
      assert.equal(await keyOf({ id: 'config:aws', name: 'aws', kind: 'configured', region: 'us-east-1' }), 'AKIAREALDEFAULT', 'AWS itself gets the credential chain');
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  it('takes a connection from the environment, endpoint variables first', () => {
    const profiles = [{ name: 'dev', region: 'eu-central-1', endpointUrl: 'http://localhost:4566', sso: false }];
    const fromProfile = environmentConnection({ AWS_PROFILE: 'dev' }, profiles);
    assert.equal(fromProfile.region, 'eu-central-1');
    assert.equal(fromProfile.endpoint, 'http://localhost:4566');
    assert.equal(fromProfile.profile, 'dev');
    const overridden = environmentConnection({ AWS_PROFILE: 'dev', AWS_REGION: 'us-west-2', AWS_ENDPOINT_URL: 'http://a', AWS_ENDPOINT_URL_SQS: 'http://b' }, profiles);
    assert.equal(overridden.region, 'us-west-2');
    assert.equal(overridden.endpoint, 'http://b');
    const bare = environmentConnection({}, []);
    assert.equal(bare.region, 'us-east-1');
    assert.equal(bare.endpoint, undefined);
  });

  it('names the environment connection by what it reaches, and says where it comes from', () => {
    const local = environmentConnection({ AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9324', AWS_REGION: 'us-east-1' }, []);
    assert.equal(local.name, 'Local SQS (127.0.0.1:9324)');
    assert.equal(local.origin, 'AWS_ENDPOINT_URL_SQS, AWS_REGION');
    assert.equal(environmentConnection({ AWS_ENDPOINT_URL: 'https://sqs.example.com' }, []).name, 'SQS (sqs.example.com)');
    const aws = environmentConnection({ AWS_PROFILE: 'prod' }, [{ name: 'prod', region: 'eu-west-1', sso: true }]);
    assert.equal(aws.name, 'AWS (prod, eu-west-1)');
    assert.equal(aws.origin, 'region of the profile prod, AWS_PROFILE');
    assert.equal(environmentConnection({ AWS_REGION: 'ap-south-1' }, []).name, 'AWS (ap-south-1)');
  });

  it('reads configured connections and names every problem entry', () => {
    const { connections, problems } = configuredConnections(
      [
        { name: 'prod', profile: 'prod', region: 'eu-west-1' },
        { name: 'stack', endpoint: 'http://localhost:4566/' },
        { name: 'prod' },
        { region: 'x' },
        { name: 'bad', endpoint: 'ftp://x' },
        'nope',
      ],
      [],
    );
    assert.deepEqual(
      connections.map((c) => [c.id, c.region, c.profile, c.endpoint]),
      [
        ['config:prod', 'eu-west-1', 'prod', undefined],
        ['config:stack', 'us-east-1', undefined, 'http://localhost:4566'],
      ],
    );
    assert.equal(problems.length, 4);
    assert.match(problems[0], /connections\[2\]: the name "prod" is used twice/);
    assert.match(problems[1], /connections\[3\]\.name is missing/);
    assert.match(problems[2], /connections\[4\]\.endpoint "ftp:\/\/x" is not an http\(s\) URL/);
    assert.match(problems[3], /connections\[5\] is not an object/);
  });
});
