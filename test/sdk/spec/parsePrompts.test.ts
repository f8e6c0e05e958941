import { expect } from "chai";
import { parsePrompts, promptsFileText } from "../../../sdk/spec/parsePrompts";

describe("sdk/spec parsePrompts", () => {
  it("reads a file of JSON strings, which may hold newlines, quotes and any character", () => {
    const text = '"Once upon a time"\n"line one\\nline two"\n"\\"quoted\\" ünïcode 🚀"\n';
    expect(parsePrompts(text)).to.deep.equal({
      format: "json-lines",
      prompts: ["Once upon a time", "line one\nline two", '"quoted" ünïcode 🚀'],
    });
  });

  it("reads plain lines verbatim (spaces kept) when any line is not a JSON string", () => {
    expect(parsePrompts("Hello there\n  The cat sat \n")).to.deep.equal({
      format: "plain-lines",
      prompts: ["Hello there", "  The cat sat "],
    });
    // One plain line makes the whole file plain: the JSON-looking line keeps its quotes.
    expect(parsePrompts('"a"\nb')).to.deep.equal({ format: "plain-lines", prompts: ['"a"', "b"] });
    // A quote that does not make valid JSON is plain text.
    expect(parsePrompts('"Hi," she said')).to.deep.equal({ format: "plain-lines", prompts: ['"Hi," she said'] });
    // JSON that is not a string (a number) is plain text too.
    expect(parsePrompts("42\n7")).to.deep.equal({ format: "plain-lines", prompts: ["42", "7"] });
  });

  it("handles CRLF, a byte-order mark and blank lines", () => {
    expect(parsePrompts('\uFEFF"a"\r\n\r\n   \r\n"b"\r\n')).to.deep.equal({
      format: "json-lines",
      prompts: ["a", "b"],
    });
    expect(parsePrompts("\uFEFFx\r\n\r\ny")).to.deep.equal({ format: "plain-lines", prompts: ["x", "y"] });
    expect(parsePrompts("")).to.deep.equal({ format: "plain-lines", prompts: [] });
    expect(parsePrompts("\n \n")).to.deep.equal({ format: "plain-lines", prompts: [] });
  });

  it("writes the runtime's format, which reads back to the same prompts", () => {
    const prompts = ["a\nb", 'say "hi"', "plain"];
    const text = promptsFileText(prompts);
    expect(text).to.equal('"a\\nb"\n"say \\"hi\\""\n"plain"\n');
    expect(parsePrompts(text)).to.deep.equal({ format: "json-lines", prompts });
  });
});
