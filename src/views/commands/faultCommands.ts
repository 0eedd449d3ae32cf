import * as vscode from 'vscode';
import { FAULT_PRESETS } from '../../services/localServerFaults';
import { FaultPlanError, NO_FAULTS, formatCompactFaultPlan, parseCompactFaultPlan, type FaultPlan } from '../../model/faultPlan';
import { ConnectionNode } from '../explorer/nodes/connectionNode';
import type { CommandServices, RegisterCommands } from './registry';

interface PlanItem extends vscode.QuickPickItem {
  readonly plan?: FaultPlan;
}

const CUSTOM = 'Custom…';

/** The server to act on: the connection the command was run on, the extension's own server, or one picked. */
async function pickEndpoint({ localServer, connections }: CommandServices, arg: unknown): Promise<string | undefined> {
  if (arg instanceof ConnectionNode) {
    const { name, endpoint } = arg.connection.info;
    if (!endpoint) void vscode.window.showInformationMessage(`"${name}" talks to Amazon SQS: faults are injected by SQS Workbench's local server only.`);
    return endpoint;
  }
  if (localServer.endpoint) return localServer.endpoint;
  const withEndpoint = connections.all.filter((c) => c.info.endpoint);
  if (withEndpoint.length === 0) {
    void vscode.window.showInformationMessage('Faults are injected by SQS Workbench\'s local server: start it first (SQS: Start Local Server).');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    withEndpoint.map((c) => ({ label: c.info.name, description: c.info.endpoint })),
    { title: 'Inject faults into which server?' },
  );
  return picked?.description;
}

/** Asks for a plan in the compact syntax, checked as it is typed. */
async function askCustomPlan(current: FaultPlan): Promise<FaultPlan | undefined> {
  const text = await vscode.window.showInputBox({
    title: 'Custom faults',
    prompt: 'kind=rate[:Action+Action][@queue], comma-separated; kinds: duplicate, throttle, internal-error, unavailable, shuffle, latency=MIN-MAXms[*rate]; seed=N',
    value: current.rules.length > 0 ? formatCompactFaultPlan(current) : 'duplicate=0.1,throttle=0.05:SendMessage,latency=50-200ms,seed=42',
    validateInput: (value) => {
      try {
        parseCompactFaultPlan(value);
        return undefined;
      } catch (err) {
        return err instanceof FaultPlanError ? err.message : String(err);
      }
    },
  });
  return text === undefined ? undefined : parseCompactFaultPlan(text);
}

/** SQS: Local Server Faults…: picks a plan (a preset, a custom one, or none) and applies it to a server. */
export const register: RegisterCommands = (services) => {
  const { faults, log } = services;
  return [
    vscode.commands.registerCommand('sqsWorkbench.localServerFaults', async (arg?: unknown) => {
      const endpoint = await pickEndpoint(services, arg);
      if (!endpoint) return undefined;
      try {
        const status = await faults.read(endpoint);
        const now = formatCompactFaultPlan(status.plan);
        const mark = (plan: FaultPlan): string | undefined => (formatCompactFaultPlan(plan) === now ? '$(check) active' : undefined);
        const items: PlanItem[] = [
          { label: 'None', detail: 'No faults: the server answers as Amazon SQS does when all is well', plan: NO_FAULTS, description: mark(NO_FAULTS) },
          ...FAULT_PRESETS.map((p) => ({ label: p.label, detail: p.detail, plan: p.plan, description: mark(p.plan) })),
          { label: CUSTOM, detail: 'Rates per kind, scoped to actions and queues, with a seed', description: status.plan.rules.length > 0 && FAULT_PRESETS.every((p) => !mark(p.plan)) ? `$(check) ${status.description}` : undefined },
        ];
        const picked = await vscode.window.showQuickPick(items, {
          title: `Faults of ${endpoint} (now: ${status.description}; ${status.total} injected)`,
          matchOnDetail: true,
        });
        if (!picked) return undefined;
        const plan = picked.plan ?? (await askCustomPlan(status.plan));
        if (!plan) return undefined;
        const applied = await faults.apply(endpoint, plan);
        vscode.window.setStatusBarMessage(`$(bug) ${endpoint}: ${applied.description}`, 5000);
        return applied.compact;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        log.error(`Faults: ${message}`);
        void vscode.window.showErrorMessage(message);
        return undefined;
      }
    }),
  ];
};
