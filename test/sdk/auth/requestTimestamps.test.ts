import { expect } from "chai";
import { MAX_LEAD_SECONDS, RequestTimestamps } from "../../../sdk/auth/requestTimestamps";

const NOW = 1_800_000_000;
const proof = { method: "POST", path: "/v1/proofs", body: '{"jobId":"1"}' };

describe("sdk/auth/requestTimestamps", () => {
  it("stamps a first request with the clock", () => {
    expect(new RequestTimestamps().next(proof, NOW)).to.equal(NOW);
  });

  it("stamps an identical request within the same second one second later, and the next one later still", () => {
    const stamps = new RequestTimestamps();
    expect(stamps.next(proof, NOW)).to.equal(NOW);
    expect(stamps.next(proof, NOW)).to.equal(NOW + 1);
    expect(stamps.next({ ...proof, method: "post" }, NOW)).to.equal(NOW + 2);
    expect(stamps.next(proof, NOW + 1)).to.equal(NOW + 3);
  });

  it("stamps a different request (method, path or body) with the clock", () => {
    const stamps = new RequestTimestamps();
    stamps.next(proof, NOW);
    expect(stamps.next({ ...proof, body: '{"jobId":"2"}' }, NOW)).to.equal(NOW);
    expect(stamps.next({ ...proof, path: "/v1/proofs?x=1" }, NOW)).to.equal(NOW);
    expect(stamps.next({ ...proof, method: "GET" }, NOW)).to.equal(NOW);
  });

  it("goes back to the clock once the clock has passed the last stamp", () => {
    const stamps = new RequestTimestamps();
    stamps.next(proof, NOW);
    stamps.next(proof, NOW);
    expect(stamps.next(proof, NOW + 5)).to.equal(NOW + 5);
  });

  it(`runs at most ${MAX_LEAD_SECONDS} s ahead of the clock, then asks the caller to wait`, () => {
    const stamps = new RequestTimestamps();
    for (let i = 0; i <= MAX_LEAD_SECONDS; i++) expect(stamps.next(proof, NOW)).to.equal(NOW + i);
    expect(stamps.next(proof, NOW)).to.equal(undefined);
    expect(stamps.next(proof, NOW + 1)).to.equal(NOW + MAX_LEAD_SECONDS + 1);
  });
});
