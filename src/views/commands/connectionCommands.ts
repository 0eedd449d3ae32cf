import * as vscode from 'vscode';
import { readProfiles, type ConnectionSettings } from '../../sqs/connections';
import type { Settings } from '../../services/settings';
import { DEFAULT_REGION } from '../../model/sqsLimits';
import { ConnectionNode } from '../explorer/nodes/connectionNode';
import type { RegisterCommands } from './registry';

const REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1',
  'ap-south-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-east-1',
  'me-central-1', 'af-south-1',
];

/**
 * Asks for a profile from the shared AWS files, a region and an optional endpoint, and adds
 * the connection to the user's settings. Only the profile's name is stored: credentials stay
 * where the AWS tools keep them.
 */
async function askConnection(settings: Settings): Promise<ConnectionSettings | undefined> {
  const title = 'Add SQS Connection';
  const profiles = await readProfiles();
  const profilePick = await vscode.window.showQuickPick(
    [
      { label: '$(key) Default credential chain', description: 'environment variables, default profile, SSO, container or instance role', profile: undefined as string | undefined, region: undefined as string | undefined },
      ...profiles.map((p) => ({
        label: p.name,
        description: [p.sso ? 'SSO' : undefined, p.region, p.endpointUrl].filter(Boolean).join(' · '),
        profile: p.name,
        region: p.region,
      })),
    ],
    { title: `${title} (1/4): AWS profile`, placeHolder: profiles.length === 0 ? 'No profiles in ~/.aws/config or ~/.aws/credentials' : 'Profiles from ~/.aws/config and ~/.aws/credentials' },
  );
  if (!profilePick) return undefined;
  const defaultRegion = profilePick.region ?? process.env.AWS_REGION ?? DEFAULT_REGION;
  const regionPick = await vscode.window.showQuickPick(
    [defaultRegion, ...REGIONS.filter((r) => r !== defaultRegion)].map((r) => ({ label: r })),
    { title: `${title} (2/4): region` },
  );
  if (!regionPick) return undefined;
  const endpoint = await vscode.window.showInputBox({
    title: `${title} (3/4): endpoint (optional)`,
    prompt: 'Leave empty for AWS. For LocalStack or ElasticMQ, e.g. http://localhost:4566',
    validateInput: (v) => {
      if (v.trim() === '') return undefined;
      try {
        const u = new URL(v.trim());
        return u.protocol === 'http:' || u.protocol === 'https:' ? undefined : 'The endpoint must be an http:// or https:// URL.';
      } catch {
        return 'The endpoint must be a URL such as http://localhost:4566.';
      }
    },
  });
  if (endpoint === undefined) return undefined;
  const taken = new Set(settings.get('connections').map((c) => c.name));
  const suggested = `${profilePick.profile ?? 'default'} · ${regionPick.label}`;
  const name = await vscode.window.showInputBox({
    title: `${title} (4/4): name`,
    value: suggested,
    validateInput: (v) => (v.trim() === '' ? 'Give the connection a name.' : taken.has(v.trim()) ? `A connection named "${v.trim()}" exists already.` : undefined),
  });
  if (name === undefined) return undefined;
  return {
    name: name.trim(),
    region: regionPick.label,
    ...(profilePick.profile ? { profile: profilePick.profile } : {}),
    ...(endpoint.trim() ? { endpoint: endpoint.trim() } : {}),
  };
}

/** Add Connection and Remove Connection: both edit `sqsWorkbench.connections`. */
export const register: RegisterCommands = ({ connections: manager, settings }) => {
  return [
    vscode.commands.registerCommand('sqsWorkbench.addConnection', async (given?: ConnectionSettings) => {
      const connection = given ?? (await askConnection(settings));
      if (!connection) return undefined;
      const list = settings.get('connections').filter((c) => c.name !== connection.name);
      const environment = manager.get('env')?.info;
      await settings.update('connections', [...list, connection]);
      await manager.reload();
      if (environment && manager.environmentShownAs?.name === connection.name) {
        void vscode.window.showInformationMessage(
          `"${connection.name}" reaches the same endpoint with the same profile as the environment connection "${environment.name}" (${environment.origin ?? 'from the environment'}), so the explorer shows "${connection.name}" in its place. Remove "${connection.name}" to see the environment connection again.`,
        );
      }
      return connection.name;
    }),
    vscode.commands.registerCommand('sqsWorkbench.hideEnvironmentConnection', async () => {
      await settings.update('environmentConnection', false);
      await manager.reload();
      vscode.window.setStatusBarMessage('$(eye-closed) The environment connection is hidden; the setting sqsWorkbench.environmentConnection shows it again', 8000);
    }),
    vscode.commands.registerCommand('sqsWorkbench.removeConnection', async (arg?: unknown) => {
      const name = arg instanceof ConnectionNode ? arg.connection.info.name : undefined;
      const list = settings.get('connections');
      if (!name && list.length === 0) {
        const environment = manager.get('env')?.info;
        void vscode.window.showInformationMessage(
          environment
            ? `There is no configured connection to remove. "${environment.name}" comes from the environment (${environment.origin ?? ''}): change or unset those to change it, or add a connection with the same endpoint and profile to replace it.`
            : 'There is no configured connection to remove.',
        );
        return;
      }
      const target = name ?? (await vscode.window.showQuickPick(list.map((c) => c.name), { title: 'Remove which connection?' }));
      if (!target) return;
      await settings.update(
        'connections',
        list.filter((c) => c.name !== target),
      );
    }),
  ];
};
