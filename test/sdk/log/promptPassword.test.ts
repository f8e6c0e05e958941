// `rigel agent init`'s password prompt (sdk/keystore/promptPassword.ts): asked twice, hidden, again
// when too short or the entries differ.
import { expect } from "chai";
import { askNewPassword, type PromptTerminal } from "../../../sdk/keystore/promptPassword";

function scripted(answers: string[]): PromptTerminal & { written: string[] } {
  const written: string[] = [];
  return { written, write: (t) => void written.push(t), readHidden: async () => answers.shift() ?? "" };
}

describe("keystore password prompt", () => {
  it("asks twice and returns the password when both entries match", async () => {
    const t = scripted(["correct horse", "correct horse"]);
    expect(await askNewPassword(t)).to.equal("correct horse");
    expect(t.written).to.deep.equal(["Keystore password (8+ characters): ", "Repeat it: "]);
  });

  it("asks again after a short password or two different entries, and gives up after three tries", async () => {
    const t = scripted(["short", "long enough 1", "long enough 2", "long enough 3", "long enough 3"]);
    expect(await askNewPassword(t)).to.equal("long enough 3");
    expect(t.written).to.include("too short: at least 8 characters\n");
    expect(t.written).to.include("the two entries differ\n");
    let error: Error | undefined;
    await askNewPassword(scripted(["a", "b", "c"])).catch((e: Error) => (error = e));
    expect(error?.message).to.equal("no password set after 3 attempts");
  });
});
