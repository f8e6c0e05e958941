import { expect } from "chai";
import { keccak256 } from "viem";
import { PowWorkloadError } from "../../../sdk/pow/errors";
import { assertWorkload, matmulShapeIssues } from "../../../sdk/pow/workload";

const seed = keccak256("0x01");

describe("sdk/pow/workload: the matmul shape rules (docs/PROTOCOL.md §3.2)", () => {
  it("lists every broken rule, in order", () => {
    expect(matmulShapeIssues({ m: 64, n: 64, k: 64 })).to.deep.equal([]);
    expect(matmulShapeIssues({ m: 65536, n: 65536, k: 131073 })).to.deep.equal([
      { path: "k", message: "must be at most 131072" },
      { path: "m", message: "m·k must be below 2^32" },
      { path: "n", message: "k·n must be below 2^32" },
      { path: "m", message: "m·n must be below 2^32 (C is m×n int32, the whole job)" },
    ]);
  });

  it("refuses m·n = 2^32 though m·k and k·n are small (m = 2^20, n = 2^12, k = 64); accepts just inside", () => {
    expect(matmulShapeIssues({ m: 2 ** 20, n: 2 ** 12, k: 64 }).map((i) => i.message)).to.deep.equal([
      "m·n must be below 2^32 (C is m×n int32, the whole job)",
    ]);
    expect(() => assertWorkload({ seed, m: 2 ** 20, n: 2 ** 12, k: 64 }))
      .to.throw(PowWorkloadError, "m·n must be below 2^32")
      .with.property("code", "POW_INVALID_WORKLOAD");
    expect(matmulShapeIssues({ m: 2 ** 20 - 1, n: 2 ** 12, k: 64 })).to.deep.equal([]);
    expect(() => assertWorkload({ seed, m: 2 ** 20 - 1, n: 2 ** 12, k: 64 })).to.not.throw();
  });
});
