/**
 * Shown under an empty secret field when the setup came back from its draft: the draft keeps what
 * was typed but never a secret (renderer/src/wizard/wizard-draft-store.ts), so the field is empty on
 * purpose and must not look like a lost input.
 */
export function SecretNotKept(props: { what: string }) {
  return (
    <p className="field-help" role="note" aria-label="Secret not kept">
      Paste the {props.what} again: secrets are not kept in the draft when you leave the setup.
    </p>
  );
}
