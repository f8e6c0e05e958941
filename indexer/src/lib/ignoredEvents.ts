// Events of the followed contracts that the indexer deliberately does not handle, each with why.
// test/indexer/indexerEvents.test.ts fails when an event of a followed ABI is neither handled
// (a `ponder.on` handler in indexer/src) nor listed here, so a contract change cannot
// add an event the indexer silently misses. Keep every entry's reason true.
export const ignoredEvents: Readonly<Record<string, string>> = {
  // Allowances move no tokens; balances and supply come from `Transfer`.
  "ComputeToken:Approval": "allowances move no tokens (balances come from Transfer)",
  // Every mint is also a `Transfer` from the zero address, which token.ts counts.
  "ComputeToken:Minted": "each mint is also a Transfer from address 0 (token_supply.minted)",
  // OpenZeppelin's ERC-5267 signal: the token's EIP-712 domain is fixed at deployment, never emitted.
  "ComputeToken:EIP712DomainChanged": "never emitted: the EIP-712 domain is immutable",
  "OracleCommittee:EIP712DomainChanged": "never emitted: the EIP-712 domain is immutable",
};
