/** The request headers of an operator-signed request (lower case, as node's http gives them). */
export const RIGEL_AUTH_HEADERS = {
  /** The operator address that signed (checksummed or not). */
  address: "x-rigel-address",
  /** Unix seconds at signing, decimal. */
  timestamp: "x-rigel-timestamp",
  /** The 65-byte EIP-191 signature, 0x-hex. */
  signature: "x-rigel-signature",
  /**
   * A 32-byte random value, 0x-hex, chosen by the signer for this one request (PROTOCOL §4.2): when
   * present the digest is version 2 and covers it. Required by the agent's results endpoint (§14.3).
   */
  nonce: "x-rigel-nonce",
} as const;

/** Default staleness window: a request older (or further in the future) than this is refused. */
export const DEFAULT_MAX_AGE_SECONDS = 60;
