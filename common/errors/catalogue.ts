import type { CatalogueEntry } from './catalogue-entry.js';
import { appCodes } from './catalogue/app.js';
import { authCodes } from './catalogue/auth.js';
import { bridgeCodes } from './catalogue/bridge.js';
import { generalCodes } from './catalogue/general.js';
import { historyCodes } from './catalogue/history.js';
import { netCodes } from './catalogue/net.js';
import { oauthCodes } from './catalogue/oauth.js';
import { opsCodes } from './catalogue/ops.js';
import { probeCodes } from './catalogue/probe.js';
import { pushCodes } from './catalogue/push.js';
import { relayCodes } from './catalogue/relay.js';
import { secretsCodes } from './catalogue/secrets.js';
import { settingsCodes } from './catalogue/settings.js';
import { trustCodes } from './catalogue/trust.js';
import { watchCodes } from './catalogue/watch.js';
import { webhooksCodes } from './catalogue/webhooks.js';

/**
 * Every error code the product can produce, with its cause and fix.
 *
 * Each capability owns one section file under `catalogue/` so that codes are added next to the
 * capability that throws them; this module only merges them. `ErrorCode` is derived from the
 * merged object, so throwing an uncatalogued code does not compile.
 */
export const catalogue = {
  ...generalCodes,
  ...netCodes,
  ...oauthCodes,
  ...opsCodes,
  ...trustCodes,
  ...probeCodes,
  ...authCodes,
  ...secretsCodes,
  ...settingsCodes,
  ...pushCodes,
  ...historyCodes,
  ...relayCodes,
  ...webhooksCodes,
  ...watchCodes,
  ...bridgeCodes,
  ...appCodes,
} as const;

export type ErrorCode = keyof typeof catalogue;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(catalogue, code);
}

export function catalogueEntry(code: ErrorCode): CatalogueEntry {
  return catalogue[code];
}
