import { expect } from "chai";
import { stringToHex, zeroAddress } from "viem";
import { imageRegistry, type SandboxCeilings } from "../../agent/policy/sandboxCeilings";
import { decideShard, type ShardOffer, type ShardPolicy } from "../../agent/policy/shardPolicy";
import type { JobSpec } from "../../sdk/spec/jobSpecTypes";
import { parseJobSpec } from "../../sdk/spec/parseJobSpec";

const ME = "0x00000000000000000000000000000000000000aa" as const;
const OTHER = "0x00000000000000000000000000000000000000bb" as const;
const TOKEN = "0x00000000000000000000000000000000000000cc" as const;

const policy: ShardPolicy = {
  kinds: ["matmul-int8", "container"],
  minPricePerUnit: 100n,
  paymentTokens: [],
  maxConcurrentShards: 2,
};

const GIB = 2 ** 30;
const matmul = (over: Record<string, unknown> = {}): JobSpec =>
  parseJobSpec({ kind: "matmul-int8", seed: `0x${"11".repeat(32)}`, m: 64, n: 64, k: 64, ...over });
const container = (over: Record<string, unknown> = {}): JobSpec =>
  parseJobSpec({ kind: "container", image: "rigel/busybox:test", memoryMiB: 64, timeoutSec: 60, ...over });

function offer(over: Partial<ShardOffer> = {}, job: Partial<ShardOffer["job"]> = {}): ShardOffer {
  return {
    operator: ME,
    spec: matmul(),
    shard: 0,
    job: {
      paymentToken: TOKEN,
      maxPricePerUnit: 100n,
      maxUnitsPerShard: 10n,
      minVramMiB: 1024,
      minOpsPerSec: 10n,
      deadline: 10_000n,
      shards: 1,
      ...job,
    },
    assigned: zeroAddress,
    capacity: { opsPerSec: 10n, vramMiB: 1024, validUntil: 20_000n },
    localVramMiB: 2048,
    freeStake: 500n,
    collateral: 500n,
    jailedUntil: 0n,
    running: 1,
    host: { cpus: 2, gpus: 0, memoryBytes: 8 * GIB, freeDiskBytes: 20 * GIB },
    gpusInUse: 0,
    now: 1_000n,
    submitMarginSec: 30n,
    ...over,
  };
}

describe("agent/policy/decideShard", () => {
  it("gang shards: open accept window, and the submit margin counted from the accept deadline", () => {
    // deadline 10,000, margin 30: an accept deadline up to 9,969 leaves the margin after the latest start.
    expect(decideShard(policy, offer({ gangAcceptDeadline: 9_969n }))).to.deep.equal({ take: true });
    expect(decideShard(policy, offer({ gangAcceptDeadline: 9_970n }))).to.deep.equal({
      take: false,
      reason: "a gang starting at its accept deadline would leave too little time",
    });
    expect(decideShard(policy, offer({ gangAcceptDeadline: 1_000n }))).to.deep.equal({
      take: false,
      reason: "the gang's accept deadline has passed",
    });
    expect(decideShard(policy, offer({ gangAcceptDeadline: 0n }))).to.deep.equal({ take: true });
  });

  it("takes a shard that fits every rule, at the exact limits", () => {
    expect(decideShard(policy, offer())).to.deep.equal({ take: true });
    expect(decideShard(policy, offer({ assigned: ME }))).to.deep.equal({ take: true });
  });

  const refusals: [string, ShardOffer, ShardPolicy?][] = [
    ["assigned to", offer({ assigned: OTHER })],
    ["kind container is not taken", offer({ spec: container() }), { ...policy, kinds: ["matmul-int8"] }],
    ["payment token", offer(), { ...policy, paymentTokens: [OTHER] }],
    ["price 99 below the minimum 100", offer({}, { maxPricePerUnit: 99n })],
    ["too close to the deadline", offer({ now: 9_970n })],
    ["already running 2 of 2", offer({ running: 2 })],
    ["jailed until", offer({ jailedUntil: 1_001n })],
    ["no valid capacity", offer({ capacity: { opsPerSec: 10n, vramMiB: 1024, validUntil: 999n } })],
    ["attested capacity below", offer({}, { minOpsPerSec: 11n })],
    ["attested capacity below", offer({}, { minVramMiB: 1025 })],
    [
      "needs 4096 MiB of VRAM",
      offer(
        { spec: container(), capacity: { opsPerSec: 10n, vramMiB: 8192, validUntil: 20_000n } },
        { minVramMiB: 4096 },
      ),
    ],
    ["free stake 499 below the collateral 500", offer({ freeStake: 499n })],
  ];
  for (const [reason, o, pol] of refusals) {
    it(`declines: ${reason}`, () => {
      const d = decideShard(pol ?? policy, o);
      expect(d.take).to.equal(false);
      expect((d as { reason: string }).reason).to.contain(reason);
    });
  }

  // Regression (PROTOCOL §18.6): the policy looked at price, time and slots only, so a host took
  // specs it could never run (a 512-CPU container on a 2-CPU host, a C larger than its memory) and
  // each ended as a no-show, slashed.
  describe("admission: the host must be able to run the spec", () => {
    const admissions: [string, ShardOffer][] = [
      ["needs 512 CPUs, this host has 2", offer({ spec: container({ milliCpus: 512_000 }) })],
      ["needs 3 CPUs, this host has 2", offer({ spec: container({ milliCpus: 2001 }) })],
      ["needs 1 GPUs, this host has 0", offer({ spec: container({ gpus: 1 }) })],
      ["needs 16384 MiB of memory, this host has 8192", offer({ spec: container({ memoryMiB: 16_384 }) })],
      // 4 items of 1000 s from t = 1000, margin 30: 5030 ≥ deadline 5000.
      [
        "4 run(s) of up to 1000 s and the submit margin do not fit",
        offer({ spec: container({ items: [1, 2, 3, 4], timeoutSec: 1000 }) }, { deadline: 5_000n }),
      ],
      // A gang counts from its accept deadline: one 3000 s run from 2000 + 30 ≥ 5000.
      [
        "1 run(s) of up to 3000 s",
        offer({ spec: container({ timeoutSec: 3000 }), gangAcceptDeadline: 2_000n }, { deadline: 5_000n }),
      ],
      // C of 2^16 × 2^13 int32 = 2 GiB on a 1 GiB host.
      [
        "C of the shard is 2.0 GiB, this host has 1.0 GiB of memory",
        offer({
          spec: matmul({ m: 2 ** 16, n: 2 ** 13, k: 1 }),
          host: { cpus: 2, gpus: 0, memoryBytes: GIB, freeDiskBytes: 20 * GIB },
        }),
      ],
      [
        "the data directory has 1.0 GiB free",
        offer(
          {
            spec: matmul({ m: 2 ** 19, n: 2 ** 10, k: 1 }),
            host: { cpus: 2, gpus: 0, memoryBytes: 8 * GIB, freeDiskBytes: GIB },
          },
          { maxUnitsPerShard: 10n ** 6n },
        ),
      ],
      // 4096 × 4096 × 4096 multiply-adds = 69 units, the job pays at most 10.
      ["the shard's work is 69 units, the job pays at most 10", offer({ spec: matmul({ m: 4096, n: 4096, k: 4096 }) })],
      ["does not make shard 1 of 2", offer({ spec: container(), shard: 1 }, { shards: 2 })],
    ];
    for (const [reason, o] of admissions) {
      it(`declines for good: ${reason}`, () => {
        const d = decideShard(policy, o);
        expect(d.take).to.equal(false);
        expect((d as { reason: string }).reason).to.contain(reason);
        expect((d as { passing?: boolean }).passing).to.equal(undefined);
      });
    }

    it("takes what fits exactly: every CPU, all memory, the last second before the deadline", () => {
      const host = { cpus: 2, gpus: 2, memoryBytes: 8 * GIB, freeDiskBytes: 20 * GIB };
      expect(
        decideShard(
          policy,
          offer(
            { spec: container({ milliCpus: 2000, gpus: 2, memoryMiB: 8192, items: [1, 2], timeoutSec: 1000 }), host },
            { deadline: 3_031n, minVramMiB: 0 },
          ),
        ),
      ).to.deep.equal({ take: true });
      // 4096 × 4096 × 596 multiply-adds = 10 units (10^9 each).
      expect(decideShard(policy, offer({ spec: matmul({ m: 4096, n: 4096, k: 596 }) }))).to.deep.equal({ take: true });
    });

    it("GPUs held by running shards and a full set of slots are passing reasons: asked again later", () => {
      const host = { cpus: 2, gpus: 2, memoryBytes: 8 * GIB, freeDiskBytes: 20 * GIB };
      const gpuJob = offer({ spec: container({ gpus: 2 }), host, gpusInUse: 1 }, { minVramMiB: 0 });
      expect(decideShard(policy, gpuJob)).to.deep.equal({
        take: false,
        reason: "needs 2 GPUs, 1 of 2 are free",
        passing: true,
      });
      expect(decideShard(policy, { ...gpuJob, gpusInUse: 0 })).to.deep.equal({ take: true });
      expect(decideShard(policy, offer({ running: 2 }))).to.include({ take: false, passing: true });
    });
  });

  describe("sandbox ceilings (the operator's policy over the developer's wishes, PROTOCOL §12.5)", () => {
    // The agent's defaults (agent/config.ts), on a host with 512 CPUs and 8 TiB so only the ceilings decide.
    const ceilings: SandboxCeilings = {
      cpus: 0,
      memoryMiB: 0,
      pids: 4096,
      gpus: 16,
      tmpMiB: 1024,
      outputBytes: 1024 ** 3,
      outputFiles: 10_000,
      runSeconds: 86_400,
      networks: ["none"],
      registries: [],
    };
    const big = { cpus: 512, gpus: 16, memoryBytes: 8 * 1024 * GIB, freeDiskBytes: 20 * GIB };
    const sandboxed: ShardPolicy = { ...policy, sandbox: ceilings };
    const decide = (spec: JobSpec, c: Partial<SandboxCeilings> = {}) =>
      decideShard(
        { ...sandboxed, sandbox: { ...ceilings, ...c } },
        offer({ spec, host: big }, { deadline: 1_000_000n, minVramMiB: 0 }),
      );

    it("regression: 4 TiB of memory, 1,000,000 processes, bridge and any registry were accepted; each is declined now", () => {
      const hostile = container({ memoryMiB: 4 * 1024 * 1024, pidsLimit: 1_000_000 });
      // The old rule: no ceilings, only the host's facts (this host has the memory).
      expect(
        decideShard(policy, offer({ spec: hostile, host: big }, { deadline: 1_000_000n, minVramMiB: 0 })),
      ).to.deep.equal({
        take: true,
      });
      expect(decide(hostile, { memoryMiB: 65_536 })).to.deep.equal({
        take: false,
        code: "SANDBOX_MEMORY",
        reason: "the spec asks for 4194304 MiB of memory, this operator allows at most 65536",
      });
      expect(decide(container({ pidsLimit: 1_000_000 }))).to.deep.equal({
        take: false,
        code: "SANDBOX_PIDS",
        reason: "the spec asks for 1000000 processes, this operator allows at most 4096",
      });
      expect(decide(container({ network: "bridge" }))).to.deep.equal({
        take: false,
        code: "SANDBOX_NETWORK",
        reason: 'network "bridge" is not allowed by this operator',
      });
      expect(decide(container({ image: "evil.example:5000/miner:1" }), { registries: ["ghcr.io"] })).to.deep.equal({
        take: false,
        code: "SANDBOX_REGISTRY",
        reason: "images from evil.example:5000 are not allowed by this operator (ghcr.io)",
      });
    });

    it("declines each ceiling passed, with its code", () => {
      const cases: [Record<string, unknown>, Partial<SandboxCeilings>, string][] = [
        [{ milliCpus: 3000 }, { cpus: 2 }, "SANDBOX_CPUS"],
        [{ gpus: 2 }, { gpus: 1 }, "SANDBOX_GPUS"],
        [{ tmpMiB: 2048 }, {}, "SANDBOX_TMP"],
        [{ outputBytes: 2 * 1024 ** 3 }, {}, "SANDBOX_OUTPUT_BYTES"],
        [{ outputFiles: 10_001 }, {}, "SANDBOX_OUTPUT_FILES"],
        [{ timeoutSec: 86_401 }, {}, "SANDBOX_RUN_SECONDS"],
        // A spec without outputBytes is held to the protocol's default (1 GiB): above a smaller ceiling.
        [{}, { outputBytes: 1024 ** 2 }, "SANDBOX_OUTPUT_BYTES"],
      ];
      for (const [fields, c, code] of cases) expect(decide(container(fields), c)).to.include({ take: false, code });
      expect(
        decide(container({ milliCpus: 2000, gpus: 1, outputBytes: 1024 ** 2 }), { cpus: 2, gpus: 1 }),
      ).to.deep.equal({ take: true });
    });

    it("offers bridge only when the operator allows it and its filter is installed", () => {
      const bridge = container({ network: "bridge" });
      expect(decide(bridge, { networks: ["none", "bridge"] })).to.deep.equal({ take: true });
      expect(
        decide(bridge, { networks: ["none", "bridge"], bridgeUnavailable: "iptables: Permission denied" }),
      ).to.deep.equal({
        take: false,
        code: "SANDBOX_NETWORK",
        reason: 'network "bridge" is unavailable here: iptables: Permission denied',
      });
    });

    it("reads an image's registry as Docker does", () => {
      expect(imageRegistry("busybox")).to.equal("docker.io");
      expect(imageRegistry("library/busybox:1")).to.equal("docker.io");
      expect(imageRegistry("ghcr.io/a/b@sha256:" + "a".repeat(64))).to.equal("ghcr.io");
      expect(imageRegistry("localhost:5000/x")).to.equal("localhost:5000");
      expect(decide(container({ image: "busybox:1" }), { registries: ["docker.io"] })).to.deep.equal({ take: true });
      // A digest after a short name, or a host that only starts like an allowed one, is read the same way.
      const pinned = `busybox@sha256:${"b".repeat(64)}`;
      expect(decide(container({ image: pinned }), { registries: ["docker.io"] })).to.deep.equal({ take: true });
      expect(decide(container({ image: pinned }), { registries: ["ghcr.io"] })).to.include({
        take: false,
        code: "SANDBOX_REGISTRY",
      });
      expect(decide(container({ image: "ghcr.io.evil.example/a/b:1" }), { registries: ["ghcr.io"] })).to.include({
        take: false,
        code: "SANDBOX_REGISTRY",
      });
      // An empty list is no decline here: the image must then be on the host, which ensureImage checks
      // before the accept (ImageRegistryError, declined with SANDBOX_REGISTRY by the daemon).
      expect(decide(container({ image: "evil.example:5000/miner:1" }), { registries: [] })).to.deep.equal({
        take: true,
      });
    });

    it("leaves matmul and llm shards alone", () => {
      expect(decide(matmul(), { cpus: 1, memoryMiB: 8, pids: 8 })).to.deep.equal({ take: true });
    });
  });

  describe("GPU models (requirements.gpuModels against the attested gpuModel)", () => {
    const attested = (model: string) => ({
      capacity: { opsPerSec: 10n, vramMiB: 1024, validUntil: 20_000n, gpuModel: stringToHex(model, { size: 32 }) },
    });
    const needing = (gpuModels: string[]) => container({ requirements: { gpuModels } });

    it("declines a job whose GPU models its attested GPU is not, with code GPU_MODEL", () => {
      expect(decideShard(policy, offer({ spec: needing(["H100"]), ...attested("RTX 4090") }))).to.deep.equal({
        take: false,
        reason: "GPU model: needs an H100; has an RTX 4090",
        code: "GPU_MODEL",
      });
      // No attested model at all (a zero bytes32, or none read).
      expect(decideShard(policy, offer({ spec: needing(["H100", "A100"]) }))).to.deep.equal({
        take: false,
        reason: "GPU model: needs an H100 or an A100; has no attested GPU model",
        code: "GPU_MODEL",
      });
    });

    it("takes it when one of the models matches, case-insensitively, and any model when none is required", () => {
      expect(
        decideShard(policy, offer({ spec: needing(["h100"]), ...attested("NVIDIA H100 80GB HBM3") })),
      ).to.deep.equal({ take: true });
      expect(
        decideShard(policy, offer({ spec: needing(["A100", "RTX 4090"]), ...attested("RTX 4090") })),
      ).to.deep.equal({ take: true });
      expect(decideShard(policy, offer({ spec: container(), ...attested("RTX 4090") }))).to.deep.equal({ take: true });
      expect(
        decideShard(policy, offer({ spec: matmul({ requirements: { gpuModels: ["H100"] } }), ...attested("L4") })),
      ).to.deep.include({ take: false, code: "GPU_MODEL" });
    });
  });
});
