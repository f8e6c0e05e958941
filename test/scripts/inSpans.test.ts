import { expect } from "chai";
import { inSpans, type BlockRange } from "../../scripts/lib/inSpans";

// The conservation check reads logs in spans of blocks (a long run's events exceed one RPC answer).
describe("scripts/lib/inSpans", () => {
  const record = () => {
    const spans: BlockRange[] = [];
    const read = async (s: BlockRange) => {
      spans.push(s);
      const blocks: bigint[] = [];
      for (let b = s.fromBlock; b <= s.toBlock; b++) blocks.push(b);
      return blocks;
    };
    return { spans, read };
  };

  it("covers the range once, in order, in spans of at most `span` blocks", async () => {
    const { spans, read } = record();
    const blocks = await inSpans({ fromBlock: 5n, toBlock: 27n }, read, 10n);
    expect(spans).to.deep.equal([
      { fromBlock: 5n, toBlock: 14n },
      { fromBlock: 15n, toBlock: 24n },
      { fromBlock: 25n, toBlock: 27n },
    ]);
    expect(blocks).to.deep.equal(Array.from({ length: 23 }, (_, i) => BigInt(5 + i)));
  });

  it("one block, an exact multiple, and an empty range", async () => {
    const one = record();
    expect(await inSpans({ fromBlock: 7n, toBlock: 7n }, one.read, 10n)).to.deep.equal([7n]);
    const exact = record();
    await inSpans({ fromBlock: 0n, toBlock: 19n }, exact.read, 10n);
    expect(exact.spans).to.have.length(2);
    const empty = record();
    expect(await inSpans({ fromBlock: 8n, toBlock: 7n }, empty.read, 10n)).to.deep.equal([]);
    expect(empty.spans).to.have.length(0);
    let err: unknown;
    await inSpans({ fromBlock: 0n, toBlock: 1n }, one.read, 0n).catch((e) => (err = e));
    expect(String(err)).to.contain("span must be at least one block");
  });
});
