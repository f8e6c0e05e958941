import { useState, type Dispatch, type SetStateAction } from "react";
import { parsePrompts, type PromptsFormat } from "../../../sdk/spec/parsePrompts";
import { MODEL_FILES, type LlmForm } from "../lib/llmJobForm";
import { modelFromFolder } from "../lib/modelFromFolder";

const FORMAT_TEXT: Record<PromptsFormat, string> = {
  "json-lines": "read as JSON strings, one per line",
  "plain-lines": "read as plain lines, one prompt each",
};

/**
 * The language-model part of the create-job form (PROTOCOL §16.5): prompts pasted or uploaded (one
 * JSON string a line, or plain lines: the whole text decides, and the page says which), the model
 * by its four inputs (uri + sha256 each, or filled from a served folder), max new tokens, and
 * greedy or sampled decoding.
 */
export function LlmFields({ llm, setLlm }: { llm: LlmForm; setLlm: Dispatch<SetStateAction<LlmForm>> }) {
  const [folder, setFolder] = useState("");
  const prompts = parsePrompts(llm.prompts);
  const [folderState, setFolderState] = useState<{ busy?: boolean; error?: string }>({});
  const field = (key: keyof LlmForm) => (e: { target: { value: string } }) =>
    setLlm((l) => ({ ...l, [key]: e.target.value }));
  const fill = async () => {
    setFolderState({ busy: true });
    try {
      const model = await modelFromFolder(folder);
      setLlm((l) => ({ ...l, model }));
      setFolderState({});
    } catch (err) {
      setFolderState({ error: (err as Error).message });
    }
  };
  return (
    <>
      <label className="wide">
        Prompts (one per line: JSON strings, or plain lines)
        <textarea value={llm.prompts} onChange={field("prompts")} rows={4} data-testid="llm-prompts" />
        {prompts.prompts.length > 0 && (
          <span className="muted" data-testid="llm-prompts-format">
            {prompts.prompts.length} prompt{prompts.prompts.length === 1 ? "" : "s"}, {FORMAT_TEXT[prompts.format]}
          </span>
        )}
      </label>
      <label className="wide">
        …or upload a prompts file
        <input
          type="file"
          accept=".txt,.jsonl,.json,text/plain"
          data-testid="llm-prompts-file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void file.text().then((text) => setLlm((l) => ({ ...l, prompts: text })));
          }}
        />
      </label>
      <label className="wide">
        Model folder (fills the four inputs below from a served folder)
        <span className="inline">
          <input
            value={folder}
            onChange={(e) => setFolder(e.target.value)}
            placeholder="https://…/model/"
            data-testid="llm-model-folder"
          />
          <button
            type="button"
            className="secondary"
            disabled={!folder.trim() || folderState.busy}
            title={
              !folder.trim()
                ? "Type the served folder's URL first."
                : folderState.busy
                  ? "Fetching and hashing the model files…"
                  : "Fetch the four files and fill their URIs and sha256"
            }
            onClick={() => void fill()}
            data-testid="llm-model-fill"
          >
            {folderState.busy ? "Hashing…" : "Fill from folder"}
          </button>
        </span>
        {folderState.error && (
          <span className="error" data-testid="llm-model-error">
            {folderState.error}
          </span>
        )}
      </label>
      {MODEL_FILES.map(({ key, file }) => (
        <label className="wide" key={key}>
          {file}
          <input
            value={llm.model[key].uri}
            placeholder="uri (file://, http://, https://)"
            onChange={(e) =>
              setLlm((l) => ({ ...l, model: { ...l.model, [key]: { ...l.model[key], uri: e.target.value } } }))
            }
            spellCheck={false}
            data-testid={`llm-${key}-uri`}
          />
          <input
            value={llm.model[key].sha256}
            placeholder="sha256 (0x + 64 hex digits)"
            onChange={(e) =>
              setLlm((l) => ({ ...l, model: { ...l.model, [key]: { ...l.model[key], sha256: e.target.value } } }))
            }
            spellCheck={false}
            className="mono"
            data-testid={`llm-${key}-sha256`}
          />
        </label>
      ))}
      <label>
        Max new tokens
        <input
          value={llm.maxNewTokens}
          onChange={field("maxNewTokens")}
          inputMode="numeric"
          data-testid="llm-max-new-tokens"
        />
      </label>
      <label>
        Decoding
        <select value={llm.decoding} onChange={field("decoding")} data-testid="llm-decoding">
          <option value="greedy">greedy</option>
          <option value="sample">sample (seeded)</option>
        </select>
      </label>
      {llm.decoding === "sample" && (
        <>
          <label>
            Temperature
            <input
              value={llm.temperature}
              onChange={field("temperature")}
              inputMode="decimal"
              data-testid="llm-temperature"
            />
          </label>
          <label>
            Top-p
            <input value={llm.topP} onChange={field("topP")} inputMode="decimal" data-testid="llm-top-p" />
          </label>
          <label className="wide">
            Sampling seed
            <input value={llm.sampleSeed} onChange={field("sampleSeed")} spellCheck={false} className="mono" />
          </label>
        </>
      )}
    </>
  );
}
