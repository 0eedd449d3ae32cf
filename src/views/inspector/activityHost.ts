import * as vscode from 'vscode';
import type { QueueActivityHub } from '../../services/queueActivityHub';
import { dlqNoticeText } from '../../services/queueActivity';
import type { InspectorPanel } from './inspectorPanel';

/** How long after an action of the inspector its queue is sampled again (a burst of events waits for its end). */
const AFTER_ACTION_MS = 300;

/**
 * Gives an inspector its queue's activity: sampling runs while the panel is visible and
 * stops while it is hidden; every new figure goes to the page's header. Disposed with the
 * inspector.
 */
export function attachActivity(inspector: InspectorPanel, hub: QueueActivityHub): vscode.Disposable {
  const activity = hub.create(inspector.connection, () => inspector.queue);
  const subscription = activity.onDidChange((view) => inspector.showActivity(view));
  const sync = (): void => {
    if (inspector.panel.visible) activity.start();
    else activity.stop();
  };
  const viewState = inspector.panel.onDidChangeViewState(sync);
  sync();
  // The inspector's own receives, releases and deletes change the counts: a sample soon after
  // them (one for a burst) keeps the header in step with the list instead of up to 5 s behind.
  let soon: ReturnType<typeof setTimeout> | undefined;
  const leases = inspector.leases.onEvent(() => {
    if (soon !== undefined || !inspector.panel.visible) return;
    soon = setTimeout(() => {
      soon = undefined;
      void activity.sample();
    }, AFTER_ACTION_MS);
  });
  return {
    dispose: () => {
      if (soon !== undefined) clearTimeout(soon);
      leases.dispose();
      viewState.dispose();
      subscription.dispose();
      activity.dispose();
    },
  };
}

/** One non-modal notification per dead-letter queue per window, when it starts filling. */
export function notifyDlqFilling(hub: QueueActivityHub): vscode.Disposable {
  return hub.dlqWatch.onFilling((rise) => {
    if (rise.first) void vscode.window.showWarningMessage(dlqNoticeText(rise));
  });
}
