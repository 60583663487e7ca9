/**
 * The shortest webhook secret accepted (BDC refuses an empty one; a short one is guessable). In
 * common/ so the use case refuses and the forms disable their button on the same rule.
 */
export const MIN_WEBHOOK_SECRET_LENGTH = 16;
