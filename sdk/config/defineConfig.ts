import fs from "node:fs";
import { RigelError } from "../errors/RigelError";

/** The kinds of value an option can hold. */
export type OptionType = "string" | "integer" | "boolean" | "url" | "address" | "privateKey" | "enum" | "path";

type ValueOf<T extends OptionType> = T extends "integer"
  ? number
  : T extends "boolean"
    ? boolean
    : T extends "address" | "privateKey"
      ? `0x${string}`
      : string;

/** One declared option: what it is, its type, default, and whether it is a secret (never logged). */
export interface OptionSpec<T extends OptionType = OptionType> {
  type: T;
  description: string;
  default?: ValueOf<T>;
  /** Required options without a default must be given; others are `undefined` when absent. */
  required?: boolean;
  secret?: boolean;
  /** Allowed values, for `enum`. */
  values?: readonly string[];
  /** Bounds, for `integer`. */
  min?: number;
  max?: number;
}

export type ConfigSpec = Record<string, OptionSpec>;

/** The loaded configuration: each option's value, typed from its spec. */
export type ConfigValues<S extends ConfigSpec> = {
  [K in keyof S]: S[K] extends { default: unknown }
    ? ValueOf<S[K]["type"]>
    : S[K] extends { required: true }
      ? ValueOf<S[K]["type"]>
      : ValueOf<S[K]["type"]> | undefined;
};

/** Every problem found while loading a configuration, reported at once. */
export class ConfigError extends RigelError {
  override readonly name = "ConfigError";
  readonly problems: string[];
  constructor(problems: string[]) {
    super("CONFIG_INVALID", `invalid configuration:\n  - ${problems.join("\n  - ")}`, { details: { problems } });
    this.problems = problems;
  }
}

export interface LoadOptions {
  /** Environment to read `PREFIX_OPTION_NAME` variables from (default: `process.env`). */
  env?: Record<string, string | undefined>;
  /** A JSON file of `{ optionName: value }`; a missing file is an error when named. */
  file?: string;
  /** Values that win over the file and the environment (command-line flags). */
  overrides?: Record<string, unknown>;
}

/** Options a service no longer has, each with why: setting one is an error that says so (not "unknown option"). */
export type RemovedOptions = Record<string, string>;

export interface ConfigDefinition<S extends ConfigSpec> {
  readonly spec: S;
  readonly envPrefix: string;
  /** The environment variable that sets `key`. */
  envName(key: keyof S & string): string;
  /** Load and validate: overrides, then environment, then file, then defaults. Throws ConfigError listing every problem. */
  load(options?: LoadOptions): ConfigValues<S>;
  /** The values with every secret replaced by "[redacted]", for logs. */
  redact(values: ConfigValues<S>): Record<string, unknown>;
  /** One line per option for `--help`: env name, type, default, description. */
  describe(): string[];
}

const toSnake = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();

function parseValue(spec: OptionSpec, raw: unknown): { value?: unknown; problem?: string } {
  const text = typeof raw === "string" ? raw.trim() : raw;
  switch (spec.type) {
    case "integer": {
      const n = typeof text === "number" ? text : typeof text === "string" && /^-?\d+$/.test(text) ? Number(text) : NaN;
      if (!Number.isSafeInteger(n)) return { problem: `must be an integer, got ${JSON.stringify(raw)}` };
      if (spec.min !== undefined && n < spec.min) return { problem: `must be ≥ ${spec.min}, got ${n}` };
      if (spec.max !== undefined && n > spec.max) return { problem: `must be ≤ ${spec.max}, got ${n}` };
      return { value: n };
    }
    case "boolean": {
      if (typeof text === "boolean") return { value: text };
      if (text === "true" || text === "1") return { value: true };
      if (text === "false" || text === "0") return { value: false };
      return { problem: `must be true or false, got ${JSON.stringify(raw)}` };
    }
    case "url": {
      if (typeof text !== "string") return { problem: "must be a URL" };
      try {
        new URL(text);
        return { value: text };
      } catch {
        return { problem: `must be a URL, got ${JSON.stringify(text)}` };
      }
    }
    case "address":
      return typeof text === "string" && /^0x[0-9a-fA-F]{40}$/.test(text)
        ? { value: text }
        : { problem: `must be a 0x-prefixed 20-byte address, got ${JSON.stringify(raw)}` };
    case "privateKey":
      // Never echo the value of a secret back.
      return typeof text === "string" && /^0x[0-9a-fA-F]{64}$/.test(text)
        ? { value: text }
        : { problem: "must be a 0x-prefixed 32-byte hex private key" };
    case "enum":
      // A JSON boolean reads as its name, so an enum can grow out of a former boolean option.
      if (typeof text === "boolean") return parseValue(spec, String(text));
      return typeof text === "string" && (spec.values ?? []).includes(text)
        ? { value: text }
        : { problem: `must be one of ${(spec.values ?? []).join(", ")}, got ${JSON.stringify(raw)}` };
    case "string":
    case "path":
      return typeof text === "string" && text.length > 0
        ? { value: text }
        : { problem: `must be a non-empty string, got ${JSON.stringify(raw)}` };
  }
}

/**
 * Declare a service's configuration once: every option with its description, type, default and
 * secrecy. Values come from overrides (flags), then `PREFIX_NAME` environment variables, then a
 * JSON file, then defaults; all problems are reported together. An option in `removed`, set in the
 * file or the environment, is a problem that names it and says why it went (an old configuration
 * must not seem to work while it is ignored).
 */
export function defineConfig<S extends ConfigSpec>(
  envPrefix: string,
  spec: S,
  removed: RemovedOptions = {},
): ConfigDefinition<S> {
  const envName = (key: string) => `${envPrefix}_${toSnake(key)}`;
  return {
    spec,
    envPrefix,
    envName,
    load(options: LoadOptions = {}) {
      const env = options.env ?? process.env;
      const problems: string[] = [];
      let fileValues: Record<string, unknown> = {};
      if (options.file) {
        try {
          fileValues = JSON.parse(fs.readFileSync(options.file, "utf8"));
          if (typeof fileValues !== "object" || fileValues === null || Array.isArray(fileValues)) {
            problems.push(`config file ${options.file}: must hold a JSON object`);
            fileValues = {};
          }
        } catch (err) {
          problems.push(`config file ${options.file}: ${(err as Error).message}`);
        }
        for (const key of Object.keys(fileValues)) {
          if (key in removed)
            problems.push(`config file ${options.file}: option "${key}" was removed: ${removed[key]}`);
          else if (!(key in spec)) problems.push(`config file ${options.file}: unknown option "${key}"`);
        }
      }
      for (const [key, why] of Object.entries(removed)) {
        const fromEnv = env[envName(key)];
        if (fromEnv !== undefined && fromEnv !== "") problems.push(`${envName(key)} was removed: ${why}`);
      }
      const values: Record<string, unknown> = {};
      for (const [key, optionSpec] of Object.entries(spec)) {
        const fromOverride = options.overrides?.[key];
        const fromEnv = env[envName(key)];
        const raw =
          fromOverride !== undefined
            ? fromOverride
            : fromEnv !== undefined && fromEnv !== ""
              ? fromEnv
              : fileValues[key] !== undefined
                ? fileValues[key]
                : undefined;
        if (raw === undefined) {
          if (optionSpec.default !== undefined) values[key] = optionSpec.default;
          else if (optionSpec.required)
            problems.push(`${key} (${envName(key)}) is required: ${optionSpec.description}`);
          continue;
        }
        const { value, problem } = parseValue(optionSpec, raw);
        if (problem) problems.push(`${key} (${envName(key)}) ${problem}`);
        else values[key] = value;
      }
      if (problems.length > 0) throw new ConfigError(problems);
      return values as ConfigValues<S>;
    },
    redact(values) {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(values)) {
        out[key] = spec[key]?.secret && value !== undefined ? "[redacted]" : value;
      }
      return out;
    },
    describe() {
      return Object.entries(spec).map(([key, s]) => {
        const def = s.secret ? "" : s.default !== undefined ? ` (default ${JSON.stringify(s.default)})` : "";
        const req = s.required && s.default === undefined ? " (required)" : "";
        const vals = s.values ? ` [${s.values.join("|")}]` : "";
        return `  ${envName(key).padEnd(36)} ${s.type}${vals}${def}${req}${s.secret ? " (secret)" : ""}  ${s.description}`;
      });
    },
  };
}
