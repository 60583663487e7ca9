import { spawn } from 'node:child_process';
import type { BrowserOpener } from './oauth-sign-in.js';

/** The platform's "open this URL" command, or undefined where there is none we trust. */
export function systemOpenCommand(platform: NodeJS.Platform): string | undefined {
  switch (platform) {
    case 'linux':
    case 'freebsd':
    case 'openbsd':
      return 'xdg-open';
    case 'darwin':
      return 'open';
    default:
      return undefined;
  }
}

/**
 * Headless: always print the URL (the machine may have no browser at all, or the user signs in on
 * another machine), then try the system opener without waiting for it. The URL carries the state
 * and the PKCE challenge, never a secret, so passing it as an argument is safe.
 */
export function createHeadlessBrowserOpener(options: {
  readonly note: (text: string) => void;
  readonly platform?: NodeJS.Platform;
  readonly tryOpen?: boolean;
}): BrowserOpener {
  return async (url) => {
    options.note(`Open this address in a browser to sign in to Bitbucket:\n\n  ${url}\n`);
    const command = systemOpenCommand(options.platform ?? process.platform);
    if (options.tryOpen === false || command === undefined) return;
    try {
      const child = spawn(command, [url], { stdio: 'ignore', detached: true });
      child.on('error', () => undefined);
      child.unref();
    } catch {
      // No opener installed: the printed URL is the way.
    }
  };
}
