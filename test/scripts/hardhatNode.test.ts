import { expect } from "chai";
import { createPublicClient, http } from "viem";
import { startHardhatNode } from "../../scripts/lib/hardhatNode";

describe("scripts/lib/hardhatNode", function () {
  it("starts a node on 127.0.0.1, refuses a second one on the same port, and stops its whole group", async () => {
    const node = await startHardhatNode({ port: 8591 });
    try {
      const client = createPublicClient({ transport: http(node.url) });
      expect(await client.getChainId()).to.equal(31337);
      let refused: unknown;
      await startHardhatNode({ port: 8591 }).catch((e) => (refused = e));
      expect(String(refused)).to.contain("already serves");
    } finally {
      await node.stop();
    }
    expect(() => process.kill(-node.pid, 0)).to.throw();
    const res = await fetch(node.url).catch((e) => e);
    expect(res).to.be.instanceOf(Error);
  });
});
