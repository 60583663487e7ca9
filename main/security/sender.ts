import { CompanionError } from '../../common/errors/companion-error.js';
import { isAppOrigin } from './app-protocol.js';

/** What main knows about the frame an IPC message came from (`event.senderFrame`). */
export interface SenderFrame {
  readonly url: string;
  /** `frame === frame.top`: only the top-level document is our UI. */
  readonly isMainFrame: boolean;
  readonly detached?: boolean;
}

/** Whether an IPC call comes from the companion's own UI: the main frame of `app://bundle`. */
export function isTrustedSender(frame: SenderFrame | null | undefined): boolean {
  if (!frame || frame.detached === true || !frame.isMainFrame) return false;
  try {
    const url = new URL(frame.url);
    return isAppOrigin(url) && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

export function assertTrustedSender(frame: SenderFrame | null | undefined): void {
  if (!isTrustedSender(frame)) {
    throw new CompanionError('APP_SENDER_REFUSED', 'IPC call from an untrusted frame refused', {
      data: { origin: originOf(frame?.url) },
    });
  }
}

function originOf(url: string | undefined): string {
  if (!url) return 'none';
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid';
  }
}
