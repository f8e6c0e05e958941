/**
 * Gas sent with a transaction: the estimate plus a quarter plus 50,000. An estimate is the least gas
 * that succeeds against the state it was made on; the transaction runs on a later state (under load,
 * other settlements land in between), and a call that forwards gas (JobMarket's settlement module,
 * PROTOCOL §20.3) keeps back 1/64 of what remains, so a bare estimate can run out of gas inside the
 * module and revert the whole batch with `FailedCall()`.
 */
export function withGasHeadroom(estimate: bigint): bigint {
  return estimate + estimate / 4n + 50_000n;
}
