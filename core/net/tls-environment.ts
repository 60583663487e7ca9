/**
 * Environment settings that people set to "fix" TLS elsewhere and that the companion deliberately
 * does not honour. Saying so up front beats a user wondering why their workaround had no effect.
 */
export function tlsEnvironmentNotes(env: Readonly<Record<string, string | undefined>>): string[] {
  const notes: string[] = [];
  const reject = env['NODE_TLS_REJECT_UNAUTHORIZED'];
  if (reject !== undefined && reject !== '1') {
    notes.push(
      `NODE_TLS_REJECT_UNAUTHORIZED=${reject} is set; the companion ignores it and always verifies certificates.`,
    );
  }
  if ((env['GIT_SSL_NO_VERIFY'] ?? '') !== '') {
    notes.push('GIT_SSL_NO_VERIFY is set; the companion removes it from every git it runs.');
  }
  if ((env['NODE_EXTRA_CA_CERTS'] ?? '') !== '') {
    notes.push(
      'NODE_EXTRA_CA_CERTS is not used by the companion; give a private CA with --ca-file (or paste it in the app).',
    );
  }
  return notes;
}
