/**
 * Environment settings that people set to "fix" TLS elsewhere and that the companion deliberately
 * does not honour. Saying so up front beats a user wondering why their workaround had no effect.
 */
export declare function tlsEnvironmentNotes(
  env: Readonly<Record<string, string | undefined>>,
): string[];
