/**
 * The ref in a cached gitdir that names the branch tip the cache last saw (fetched or pushed by
 * either engine): the base of the next push's fetch.
 */
export const TRACKING_REF = 'refs/companion/tip';
