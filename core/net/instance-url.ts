import { isIP } from 'node:net';
import { CompanionError } from '../../common/errors/companion-error.js';
import { classifyAddress, type AddressClass, type AddressPolicyOptions } from './address-policy.js';

/** A Bitbucket instance base URL that passed every check that needs no network. */
export interface InstanceUrl {
  /** Normalised base: `https://host[:port][/context]`, no trailing slash, no query. */
  readonly baseUrl: string;
  readonly origin: string;
  /** Host name without IPv6 brackets, lower-case (as WHATWG URL gives it). */
  readonly hostname: string;
  readonly port: number;
  /** Context path (`/bitbucket`) or the empty string. */
  readonly contextPath: string;
  /** Present when the host is an IP literal: its class, vetted before any connection. */
  readonly literal?: { readonly address: string; readonly addressClass: AddressClass };
}

const MAX_URL_LENGTH = 2048;

/**
 * Parses and vets an instance URL without touching the network.
 *
 * WHATWG URL parsing normalises every encoded IPv4 form (`2130706433`, `0x7f.1`, `017700000001`,
 * `127.1`) to dotted decimal, so the address policy sees what a connection would really reach.
 * IP-literal hosts never go through DNS lookup, so they are judged here, before anything connects.
 */
export function parseInstanceUrl(input: string, options: AddressPolicyOptions = {}): InstanceUrl {
  return vetLiteralHost(parseInstanceUrlSyntax(input), options);
}

/** The syntax checks of `parseInstanceUrl` alone; IP literals are not judged yet. */
export function parseInstanceUrlSyntax(input: string): InstanceUrl {
  const text = input.trim();
  if (text.length === 0) throw new CompanionError('URL_INVALID', 'The instance URL is empty.');
  if (text.length > MAX_URL_LENGTH) {
    throw new CompanionError(
      'URL_INVALID',
      `The instance URL is longer than ${MAX_URL_LENGTH} characters.`,
    );
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // "bitbucket.example.com" without a scheme is the commonest slip; say so precisely.
    const hint = /^[a-z0-9.-]+(:\d+)?(\/.*)?$/i.test(text)
      ? `Add the scheme: https://${text}`
      : undefined;
    throw new CompanionError('URL_INVALID', `"${printable(text)}" is not a URL.`, {
      ...(hint === undefined ? {} : { hint }),
    });
  }
  if (url.protocol !== 'https:') {
    throw new CompanionError(
      'HTTPS_REQUIRED',
      `The instance URL uses ${url.protocol.replace(/:$/, '')}; only https is accepted.`,
      url.protocol === 'http:'
        ? { hint: `Use https://${url.host}${url.pathname === '/' ? '' : url.pathname}` }
        : {},
    );
  }
  if (url.username !== '' || url.password !== '') {
    // Credentials in a URL end up in logs, history and process lists.
    throw new CompanionError(
      'URL_INVALID',
      'The instance URL must not contain a user name or password.',
      {
        hint: 'Remove the "user:password@" part; sign in with a token or OAuth instead.',
      },
    );
  }
  if (url.search !== '' || url.hash !== '') {
    throw new CompanionError(
      'URL_INVALID',
      'The instance URL must not contain a query or fragment.',
      {
        hint: `Use ${url.origin}${url.pathname.replace(/\/+$/, '')}`,
      },
    );
  }
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  if (hostname === '') throw new CompanionError('URL_INVALID', 'The instance URL has no host.');
  const port = url.port === '' ? 443 : Number(url.port);
  const contextPath = url.pathname.replace(/\/+$/, '');
  const base: InstanceUrl = {
    baseUrl: `${url.origin}${contextPath}`,
    origin: url.origin,
    hostname,
    port,
    contextPath,
  };
  return base;
}

/** Judges an IP-literal host with the address policy; host names pass through for DNS. */
export function vetLiteralHost(base: InstanceUrl, options: AddressPolicyOptions = {}): InstanceUrl {
  const { hostname } = base;
  if (isIP(hostname) === 0) return base;
  const verdict = classifyAddress(hostname, options);
  if (verdict.kind !== 'allowed') {
    throw new CompanionError(
      'INSTANCE_ADDRESS_FORBIDDEN',
      verdict.kind === 'forbidden' ? verdict.reason : `${hostname} is not a valid address.`,
      {
        data: {
          address: verdict.address,
          range: verdict.kind === 'forbidden' ? verdict.range : 'invalid',
        },
      },
    );
  }
  return { ...base, literal: { address: verdict.address, addressClass: verdict.addressClass } };
}

/** Joins an API path onto the base URL, keeping the context path. */
export function instanceEndpoint(instance: Pick<InstanceUrl, 'baseUrl'>, path: string): string {
  return `${instance.baseUrl}/${path.replace(/^\/+/, '')}`;
}

/** Keeps user input printable in messages: no control characters, bounded length. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > 120 ? `${clean.slice(0, 117)}...` : clean;
}
