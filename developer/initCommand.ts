// `rigel job init --template NAME [--out FILE]` and `rigel job init --list`: a job spec to start
// from, out of the template gallery the dapp shows too (sdk/spec/templates, PROTOCOL §16.6).
import fs from "node:fs";
import { defineCommand, UsageError } from "../sdk/cli/commands";
import { parseJobSpec } from "../sdk/spec/parseJobSpec";
import type { JobTemplate } from "../sdk/spec/templates/jobTemplate";
import { findJobTemplate, JOB_TEMPLATES } from "../sdk/spec/templates/jobTemplates";
import { toJson } from "./commandHelpers";

/** The gallery as text: one template a line, name first. */
export function templateListText(templates: readonly JobTemplate[] = JOB_TEMPLATES): string {
  const width = Math.max(...templates.map((t) => t.name.length));
  return [
    "templates (rigel job init --template NAME --out spec.json):",
    ...templates.map((t) => `  ${t.name.padEnd(width)}  ${t.spec.kind.padEnd(13)}  ${t.title}`),
  ].join("\n");
}

/** What to do with a fresh spec: its placeholders, then the plan command with the template's figures. */
export function nextStepsText(t: JobTemplate, file: string): string {
  const priceFlag = t.spec.kind === "llm-inference" ? "--max-price-per-1k-tokens" : "--max-price";
  const lines = [`${t.title}: ${t.description}`];
  for (const p of t.placeholders ?? []) lines.push(`  replace ${p.path}: ${p.note}`);
  const timing =
    t.plan.itemSeconds !== undefined && t.plan.referenceOpsPerSec !== undefined
      ? ` --item-seconds ${t.plan.itemSeconds} --reference-ops ${t.plan.referenceOpsPerSec}`
      : "";
  // Amounts in RGL (PROTOCOL §15.5: whole tokens by default, wei only with an explicit unit).
  lines.push(
    `next: rigel job plan ${file} --budget ${t.plan.budget} ${priceFlag} ${t.plan.maxPrice} --max-shards ${t.plan.maxShards}${timing}`,
  );
  return lines.join("\n");
}

/** The `init` command. */
export function initCommand() {
  return defineCommand({
    name: "init",
    summary: "write a job spec from a template (--list shows them)",
    flags: {
      template: { type: "string", value: "NAME", description: "the template (see --list)" },
      out: { type: "string", value: "FILE", description: "write the spec here (default: print it)" },
      force: { type: "boolean", description: "overwrite --out if it exists" },
      list: { type: "boolean", description: "list the templates" },
      json: { type: "boolean", description: "print the result as JSON" },
    },
    async run({ flags, out }) {
      if (flags.list) {
        out.result(
          flags.json
            ? toJson(JOB_TEMPLATES.map((t) => ({ name: t.name, kind: t.spec.kind, title: t.title, plan: t.plan })))
            : templateListText(),
        );
        return;
      }
      if (flags.template === undefined) {
        throw new UsageError("RIGEL_JOB_NO_TEMPLATE", "--template NAME is required (rigel job init --list shows them)");
      }
      const template = findJobTemplate(flags.template);
      if (!template) {
        throw new UsageError(
          "RIGEL_JOB_UNKNOWN_TEMPLATE",
          `no template "${flags.template}"; there are ${JOB_TEMPLATES.map((t) => t.name).join(", ")}`,
        );
      }
      parseJobSpec(template.spec); // a template that does not parse is a bug: fail before writing
      const text = `${JSON.stringify(template.spec, null, 2)}\n`;
      if (flags.out === undefined) {
        out.result(flags.json ? toJson({ template: template.name, spec: template.spec }) : text);
        out.info(nextStepsText(template, "spec.json"));
        return;
      }
      if (fs.existsSync(flags.out) && !flags.force) {
        throw new UsageError("RIGEL_JOB_OUT_EXISTS", `${flags.out} exists; add --force to overwrite it`);
      }
      fs.writeFileSync(flags.out, text);
      out.result(
        flags.json ? toJson({ template: template.name, out: flags.out }) : `wrote ${flags.out} (${template.name})`,
      );
      out.info(nextStepsText(template, flags.out));
    },
  });
}
