/** The numbers of protocol v1 (`docs/bridge.md`), in one place so the hello tells the truth. */

/** A text frame from the platform larger than this is refused unread. */
export const MAX_FRAME_BYTES = 1024 * 1024;
/** Request ids are at most 64 printable ASCII characters. */
export const MAX_ID_LENGTH = 64;
/** The payload of one binary body frame (after the id and its 0x00). */
export const MAX_CHUNK_BYTES = 256 * 1024;
export const DEFAULT_MAX_IN_FLIGHT = 16;
/** Bodies longer than this are cut and the end frame says `truncated`. */
export const DEFAULT_MAX_BODY_BYTES = 100 * 1024 * 1024;
export const PING_INTERVAL_MS = 20_000;
export const PONG_TIMEOUT_MS = 10_000;
export const WELCOME_TIMEOUT_MS = 10_000;
export const BRIDGE_SUBPROTOCOL = 'ankra-bdc-bridge.v1';
export const BRIDGE_PROTOCOL_VERSION = 1;
