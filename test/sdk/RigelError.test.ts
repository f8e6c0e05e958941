import { expect } from "chai";
import { RigelError } from "../../sdk/errors/RigelError";

describe("sdk/errors/RigelError", () => {
  it("keeps code, details and cause", () => {
    const cause = new Error("socket closed");
    const err = new RigelError("RPC_UNAVAILABLE", "the RPC endpoint did not answer", {
      details: { url: "http://127.0.0.1:8545", attempt: 3n },
      cause,
    });
    expect(err).to.be.instanceOf(Error);
    expect(err.code).to.equal("RPC_UNAVAILABLE");
    expect(err.cause).to.equal(cause);
    expect(err.chain()).to.deep.equal(["the RPC endpoint did not answer", "socket closed"]);
  });

  it("serialises bigints in details as decimal strings", () => {
    const err = new RigelError("X", "m", { details: { units: 2n ** 70n } });
    expect(err.toJSON()).to.deep.equal({ code: "X", message: "m", details: { units: (2n ** 70n).toString() } });
  });

  it("defaults to empty details and no cause", () => {
    const err = new RigelError("X", "m");
    expect(err.details).to.deep.equal({});
    expect(err.cause).to.equal(undefined);
    expect(err.chain()).to.deep.equal(["m"]);
  });
});
