import type { IpcMain, WebContents, WebFrameMain } from 'electron';
import { EVENT_CHANNEL, OPERATION_NAMES, operationChannel } from '../../common/api/operations.js';
import type { CompanionService } from '../../core/service/companion-service.js';
import type { SenderFrame } from '../security/sender.js';
import { handleIpcCall } from './ipc-call.js';

function describeFrame(frame: WebFrameMain | null): SenderFrame | null {
  if (!frame) return null;
  return { url: frame.url, isMainFrame: frame.top === frame, detached: frame.detached };
}

/**
 * The only user of `ipcMain`: one handler per contract operation, each checking its sender, and
 * one event channel pushed to the window. Returns a function removing every handler.
 */
export function registerIpc(
  ipcMain: IpcMain,
  service: CompanionService,
  window: () => WebContents | undefined,
): () => void {
  for (const operation of OPERATION_NAMES) {
    ipcMain.handle(operationChannel(operation), (event, ...args: unknown[]) =>
      handleIpcCall(service, operation, describeFrame(event.senderFrame), args),
    );
  }
  const unsubscribe = service.onEvent((event) => {
    const target = window();
    if (target && !target.isDestroyed()) target.send(EVENT_CHANNEL, event);
  });
  return () => {
    unsubscribe();
    for (const operation of OPERATION_NAMES) ipcMain.removeHandler(operationChannel(operation));
  };
}
