import { CLI_NAME, COMPANION_VERSION } from '../../common/version.js';

/** Sent on every request the companion makes, so BDC access logs show who called. */
export const USER_AGENT = `${CLI_NAME}/${COMPANION_VERSION}`;
