import { describe, expect, it } from "vitest";
import { JobKind, VerificationMode } from "../../sdk/market/enums";
import { hashJobSpec } from "../../sdk/spec/hashJobSpec";
import { jobSpecDataUri } from "../../sdk/spec/jobSpecDataUri";
import { buildJob, JobFormError, type JobForm } from "../src/lib/buildJob";
import { plannedJob } from "../src/lib/plannedJob";

const FORM: JobForm = {
  kind: "matmul-int8",
  seed: "0x" + "11".repeat(32),
  m: "1000",
  n: "1000",
  k: "1000",
  image: "rigel/busybox:test",
  command: "echo hi",
  items: "",
  gpuSecondsPerShard: "60",
  shards: "3",
  maxPricePerUnit: "0.5",
  deadlineMinutes: "10",
  minVramMiB: "0",
  minOpsPerSec: "0",
};

describe("buildJob", () => {
  it("builds a matmul job with units from shardWork and the sdk's spec hash", () => {
    const job = buildJob(FORM, 1000n);
    // 1000 rows in 3 shards: the largest has 334 rows; 334·1000·1000 = 3.34e8 multiply-adds → 1 unit.
    expect(job.unitsPerShard).toBe(1n);
    expect(job.multiplyAddsPerShard).toBe(334_000_000n);
    expect(job.escrow).toBe(3n * 5n * 10n ** 17n);
    expect(job.deadlineSeconds).toBe(1600n);
    expect(job.specHash).toBe(hashJobSpec(job.spec).hash);
    expect(job.specURI).toBe(jobSpecDataUri(job.spec));
  });

  it("builds an itemised container job", () => {
    const job = buildJob({ ...FORM, kind: "container", items: '{"a":1}\n"two"\n3', shards: "2" }, 0n);
    expect(job.unitsPerShard).toBe(60n);
    expect(job.spec.kind === "container" && job.spec.items).toEqual([{ a: 1 }, "two", 3]);
  });

  it("writes a typed results store URL into the spec as its uploadUrl (PROTOCOL §14.9), and refuses a bad one", () => {
    const container = { ...FORM, kind: "container" as const, items: '"a"\n"b"', shards: "2" };
    expect(buildJob(container, 0n).spec).not.toHaveProperty("uploadUrl");
    expect(buildJob({ ...container, uploadUrl: "  " }, 0n).spec).not.toHaveProperty("uploadUrl");
    const job = buildJob({ ...container, uploadUrl: " http://127.0.0.1:9575/v1/store " }, 0n);
    expect(job.spec.uploadUrl).toBe("http://127.0.0.1:9575/v1/store");
    // The URL is part of the spec, so of its hash and data: URI.
    expect(job.specHash).toBe(hashJobSpec(job.spec).hash);
    expect(job.specHash).not.toBe(buildJob(container, 0n).specHash);
    expect(buildJob({ ...FORM, uploadUrl: "https://store.example/v1/store" }, 0n).spec.uploadUrl).toBe(
      "https://store.example/v1/store",
    );
    try {
      buildJob({ ...container, uploadUrl: "ftp://store.example/up" }, 0n);
      expect.unreachable();
    } catch (err) {
      expect((err as JobFormError).problems).toEqual([
        "uploadUrl must be an http:// or https:// URL without credentials (≤ 2048 characters)",
      ]);
    }
  });

  it("reports every problem at once", () => {
    try {
      buildJob({ ...FORM, m: "0", shards: "x", maxPricePerUnit: "abc" }, 0n);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(JobFormError);
      expect((err as JobFormError).problems).toEqual(
        expect.arrayContaining([
          "Max shards must be a whole number from 1 to 64",
          "m must be a whole number ≥ 1",
          "price per unit must be a number",
        ]),
      );
    }
  });

  it("encodes non-ASCII specs in the data: URI as UTF-8, byte for byte as Node's Buffer would", () => {
    const job = buildJob({ ...FORM, kind: "container", command: "echo héllo ✓", items: "", shards: "1" }, 0n);
    const canonical = hashJobSpec(job.spec).canonical;
    expect(job.specURI).toBe(`data:application/json;base64,${Buffer.from(canonical, "utf8").toString("base64")}`);
  });

  it("a container job without items is one open run of the GPU-seconds typed, attested (sdk jobParamsForSpec)", () => {
    const built = buildJob({ ...FORM, kind: "container", items: "", shards: "4" }, 0n);
    const job = plannedJob(built, undefined, "0x0000000000000000000000000000000000000001");
    expect(job.params).toMatchObject({
      kind: JobKind.Container,
      // A container job without items defaults to receipt verification (PROTOCOL §12.1).
      verificationMode: VerificationMode.Receipt,
      shards: 1,
      maxUnitsPerShard: 60n,
      specHash: built.specHash,
      specURI: built.specURI,
      shardOperators: [],
    });
    expect(job.escrow).toBe(60n * 5n * 10n ** 17n);
  });
});
