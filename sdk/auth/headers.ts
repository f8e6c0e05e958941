/** The request headers of an operator-signed request (lower case, as node's http gives them). */
export const RIGEL_AUTH_HEADERS = {
  /** The operator address that signed (checksummed or not). */
  address: "x-rigel-address",
  /** Unix seconds at signing, decimal. */
  timestamp: "x-rigel-timestamp",
  /** The 65-byte EIP-191 signature, 0x-hex. */
  signature: "x-rigel-signature",
} as const;

/** Default staleness window: a request older (or further in the future) than this is refused. */
export const DEFAULT_MAX_AGE_SECONDS = 60;
