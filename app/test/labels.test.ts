import { describe, expect, it } from "vitest";
import { ShardState } from "../../sdk/market/enums";
import { stateLabel, verdictLabel } from "../src/components/JobList";
import { outcomeLabel } from "../src/pages/OperatorPage";

describe("verdict and yield labels", () => {
  it("says whether a verdict was verified or only attested", () => {
    expect(verdictLabel({ kind: 0, verificationMode: 0 }, { state: ShardState.Settled })).toBe("Valid (verified)");
    expect(verdictLabel({ kind: 1, verificationMode: 0 }, { state: ShardState.Failed })).toBe("Invalid (verified)");
    expect(verdictLabel({ kind: 1, verificationMode: 1 }, { state: ShardState.Settled })).toBe(
      "Valid (attested, not verified)",
    );
    expect(verdictLabel({ kind: 0, verificationMode: 0 }, { state: ShardState.Submitted })).toBe("—");
  });

  it("says what a developer fault means, in either verification mode", () => {
    for (const verificationMode of [0, 1]) {
      expect(verdictLabel({ kind: 1, verificationMode }, { state: ShardState.DeveloperFault })).toBe(
        "Developer fault: developer's code failed — operator paid for time used, rest refunded",
      );
    }
    expect(stateLabel({ state: ShardState.DeveloperFault, stateName: "DeveloperFault" })).toBe("Developer fault");
    expect(stateLabel({ state: ShardState.Settled, stateName: "Settled" })).toBe("Settled");
    expect(outcomeLabel("developer fault")).toBe("developer fault (code failed: paid for time used, no slash)");
    expect(outcomeLabel("settled")).toBe("settled");
  });
});
