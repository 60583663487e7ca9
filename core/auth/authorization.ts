/**
 * A signed-in installation's credential, as every authenticated caller (REST client, push engine,
 * webhook management) uses it. The header value is produced on demand so OAuth access tokens can
 * be refreshed underneath; it must never be logged or put on a command line.
 */
export interface Authorization {
  readonly kind: 'pat' | 'oauth';
  /** The BDC user name (`X-AUSERNAME`) the credential acts as. */
  readonly user: string;
  /** `Bearer …` for the Authorization header. */
  header(): Promise<string>;
  /** After a 401: refresh an OAuth token once; false when nothing could be refreshed (PAT). */
  refresh(): Promise<boolean>;
}
