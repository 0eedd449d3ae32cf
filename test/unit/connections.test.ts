import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { configuredConnections, environmentConnection, parseIni, readProfiles } from '../../src/sqs/connections';

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
