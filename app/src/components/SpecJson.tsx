import type { JobSpec } from "../../../sdk/spec/jobSpecTypes";

/** The spec as pretty JSON: what `rigel job submit` reads back (PROTOCOL §16.6). */
export function specJsonText(spec: JobSpec): string {
  return `${JSON.stringify(spec, null, 2)}\n`;
}

/**
 * The spec the job will be created with (the plan's split written in), as JSON, and a button that
 * saves it as `spec.json`: the same file works with `rigel job plan` and `rigel job submit`.
 */
export function SpecJson({ spec, specHash }: { spec: JobSpec; specHash: string }) {
  const text = specJsonText(spec);
  const download = () => {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    a.download = "spec.json";
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  };
  return (
    <details className="wide spec-json" data-testid="spec-json">
      <summary>
        The spec as JSON <span className="muted mono">(hash {specHash.slice(0, 10)}…)</span>
      </summary>
      <pre className="mono" data-testid="spec-json-text">
        {text}
      </pre>
      <button type="button" className="secondary" onClick={download} data-testid="spec-download">
        Download spec.json
      </button>
    </details>
  );
}
