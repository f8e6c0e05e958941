import { formatUnits } from "viem";
import { formatRgl } from "../../sdk/cli/humanFormat";
import { explainError } from "../../sdk/cli/explainError";
import type { GpuInfo } from "../../sdk/gpu/parseNvidiaSmi";
import { formatEth, lowGasThreshold, minimumStake } from "./fundingEstimate";

/** One line of `rigel agent doctor`. */
export interface CheckResult {
  /** A short name: "keystore", "chain", "gas", … */
  name: string;
  ok: boolean;
  /** A failed required check makes doctor exit 1; an optional one only warns. */
  required: boolean;
  /** What was found. */
  detail: string;
  /** What to do when it failed. */
  fix?: string;
}

/** The operator's state on-chain, as the checks need it. */
export interface OperatorOnChain {
  registered: boolean;
  jailedUntil: bigint;
  selfStake: bigint;
  locked: bigint;
}

/**
 * Everything doctor looks at, behind functions: the CLI wires the real machine and chain, the unit
 * tests fakes. A probe that throws fails its check with the error's sentence.
 */
export interface DoctorProbes {
  /** Opens the keystore (or the raw key) and gives the operator address. */
  openKey(): Promise<`0x${string}`>;
  /** The chain id the RPC endpoint answers. */
  chainId(): Promise<number>;
  /** The deployment's chain id and whether JobMarket has code on this chain. */
  deployment(): Promise<{ chainId: number; file: string; marketHasCode: boolean }>;
  ethBalance(): Promise<bigint>;
  maxFeePerGas(): Promise<bigint>;
  rglBalance(): Promise<bigint>;
  collateralRatioBps(): Promise<bigint>;
  operator(): Promise<OperatorOnChain>;
  /** Chain time (unix s). */
  now(): Promise<bigint>;
  /** `docker info`'s server version and runtimes, or throws when no engine answers. */
  dockerInfo(): Promise<{ version: string; runtimes: string[] }>;
  gpus(): Promise<GpuInfo[]>;
  /** `python3 -c 'import numpy'`: numpy's version. */
  numpyVersion(): Promise<string>;
  /** GET `<url>/healthz`: ok or not. */
  oracleHealth(url: string): Promise<{ ok: boolean; status: number }>;
  /** Whether the agent's own port can be bound (or is held by a healthy agent). */
  port(): Promise<"free" | "agent" | "taken">;
}

export interface DoctorSettings {
  rpcUrl: string;
  host: string;
  port: number;
  oracleUrls: string[];
  kinds: string[];
  device: string;
  pythonPath: string;
  sandboxRuntime: string;
  /** The largest shard the operator means to take (RGL wei): the stake must cover its collateral. */
  shardValue: bigint;
  program?: string;
}

const fail = (name: string, required: boolean, detail: string, fix: string): CheckResult => ({
  name,
  ok: false,
  required,
  detail,
  fix,
});
const pass = (name: string, detail: string, required = true): CheckResult => ({ name, ok: true, required, detail });
const why = (err: unknown) => explainError(err).message;
/** A network failure in a few words: the innermost cause's code (ECONNREFUSED) or message. */
function networkWhy(err: unknown): string {
  let e = err as { cause?: unknown; code?: unknown; message?: string } | undefined;
  while (e?.cause) e = e.cause as typeof e;
  if (typeof e?.code === "string") return e.code === "ECONNREFUSED" ? "connection refused" : e.code;
  return e?.message ?? String(err);
}

/** Runs every check (independent ones side by side) and gives them in a fixed order. */
export async function runDoctor(probes: DoctorProbes, s: DoctorSettings): Promise<CheckResult[]> {
  const rigel = s.program ?? "rigel agent";
  const results: Promise<CheckResult | CheckResult[]>[] = [];

  // Keystore, then what needs the operator's address and a chain.
  const keyAndChain = (async (): Promise<CheckResult[]> => {
    const out: CheckResult[] = [];
    let address: `0x${string}` | undefined;
    try {
      address = await probes.openKey();
      out.push(pass("keystore", `opens: operator ${address}`));
    } catch (err) {
      out.push(
        fail(
          "keystore",
          true,
          why(err),
          `set RIGEL_AGENT_KEYSTORE_PASSWORD to the keystore's password, or create a key: ${rigel} init`,
        ),
      );
    }
    let chainOk = false;
    try {
      const [id, dep] = await Promise.all([probes.chainId(), probes.deployment()]);
      if (id !== dep.chainId) {
        out.push(
          fail(
            "chain",
            true,
            `${s.rpcUrl} is chain ${id}, the deployment ${dep.file} is chain ${dep.chainId}`,
            "point RIGEL_AGENT_RPC_URL at the deployment's chain, or RIGEL_AGENT_DEPLOYMENT_FILE at this chain's deployment",
          ),
        );
      } else if (!dep.marketHasCode) {
        out.push(
          fail(
            "chain",
            true,
            `chain ${id} has no JobMarket at the address in ${dep.file}`,
            "the chain was restarted or the file is stale: set RIGEL_AGENT_DEPLOYMENT_FILE to the current deployment",
          ),
        );
      } else {
        chainOk = true;
        out.push(pass("chain", `chain ${id} at ${s.rpcUrl}, deployment ${dep.file} matches`));
      }
    } catch (err) {
      out.push(
        fail(
          "chain",
          true,
          why(err),
          "check RIGEL_AGENT_RPC_URL (rpcUrl) and RIGEL_AGENT_DEPLOYMENT_FILE (deploymentFile)",
        ),
      );
    }
    if (!address || !chainOk) {
      const reason = !address ? "no key" : "no chain";
      for (const name of ["gas", "stake", "operator"])
        out.push(fail(name, false, `not checked (${reason})`, "fix the checks above first"));
      return out;
    }
    try {
      const [eth, fee] = await Promise.all([probes.ethBalance(), probes.maxFeePerGas()]);
      const low = lowGasThreshold(fee);
      out.push(
        eth >= low
          ? pass("gas", `${formatEth(eth)} (at least ${formatEth(low)}: 5 shards' transactions at today's fees)`)
          : fail(
              "gas",
              true,
              `${formatEth(eth)}: below ${formatEth(low)}, 5 shards' transactions at today's fees`,
              `send ETH to ${address} (${rigel} init prints how much)`,
            ),
      );
    } catch (err) {
      out.push(fail("gas", true, why(err), "check the chain above"));
    }
    let op: OperatorOnChain | undefined;
    try {
      const [wallet, ratio, info] = await Promise.all([
        probes.rglBalance(),
        probes.collateralRatioBps(),
        probes.operator(),
      ]);
      op = info;
      const min = minimumStake(s.shardValue, ratio);
      const free = info.selfStake - info.locked;
      const detail = `self-stake ${formatRgl(info.selfStake)} (${formatRgl(free)} free), wallet ${formatRgl(wallet)}; a ${formatRgl(s.shardValue)} shard locks ${formatRgl(min)}`;
      if (free >= min) out.push(pass("stake", detail));
      else if (free + wallet >= min)
        out.push(fail("stake", true, detail, `${rigel} stake --amount ${formatUnits(min - free, 18)}`));
      else
        out.push(
          fail(
            "stake",
            true,
            detail,
            `get ${formatRgl(min - free - wallet)} more to ${address}, then ${rigel} stake --amount …`,
          ),
        );
    } catch (err) {
      out.push(fail("stake", true, why(err), "check the chain above"));
    }
    if (op) {
      const now = await probes.now().catch(() => BigInt(Math.floor(Date.now() / 1000)));
      if (!op.registered) out.push(fail("operator", true, "not registered", `${rigel} register`));
      else if (op.jailedUntil > now)
        out.push(
          fail(
            "operator",
            true,
            `jailed for ${op.jailedUntil - now} s more (until unix ${op.jailedUntil})`,
            "wait for the jail to end; `rigel agent status` shows why (slashes)",
          ),
        );
      else out.push(pass("operator", "registered, not jailed"));
    }
    return out;
  })();
  results.push(keyAndChain);

  results.push(
    (async () => {
      try {
        const info = await probes.dockerInfo();
        if (!info.runtimes.includes(s.sandboxRuntime))
          return fail(
            "docker",
            true,
            `engine ${info.version}, but its runtimes (${info.runtimes.join(", ")}) lack sandboxRuntime ${s.sandboxRuntime}`,
            `install ${s.sandboxRuntime} and register it with Docker, or set RIGEL_AGENT_SANDBOX_RUNTIME=runc`,
          );
        return pass("docker", `engine ${info.version}, runtime ${s.sandboxRuntime}`);
      } catch (err) {
        return fail(
          "docker",
          s.kinds.includes("container"),
          `no Docker engine answers (${why(err)})`,
          "start Docker (sudo systemctl start docker) and let this user reach it (sudo usermod -aG docker $USER); in the container, mount /var/run/docker.sock",
        );
      }
    })(),
  );

  results.push(
    (async () => {
      let gpus: GpuInfo[];
      try {
        gpus = await probes.gpus();
      } catch (err) {
        return fail(
          "gpu",
          s.device === "cuda",
          `nvidia-smi failed (${why(err)})`,
          "check the NVIDIA driver (nvidia-smi must list the GPUs)",
        );
      }
      if (gpus.length === 0) {
        return s.device === "cuda"
          ? fail(
              "gpu",
              true,
              "device is cuda but nvidia-smi finds no GPU",
              "install the NVIDIA driver, or set device auto",
            )
          : pass("gpu", "no NVIDIA GPU: CPU work only", false);
      }
      const names = gpus.map((g) => `${g.model} ${Math.round(g.vramMiB / 1024)} GiB`).join(", ");
      try {
        const info = await probes.dockerInfo();
        if (!info.runtimes.includes("nvidia"))
          return fail(
            "gpu",
            true,
            `${names}, but Docker has no nvidia runtime (GPU containers cannot see them)`,
            "sudo apt-get install -y nvidia-container-toolkit && sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker",
          );
      } catch {
        // Docker's own check reports the engine.
      }
      return pass("gpu", `${names}; nvidia runtime in docker info`);
    })(),
  );

  results.push(
    (async () => {
      const needed = s.kinds.includes("llm-inference") || s.device === "cuda";
      try {
        return pass("python", `${s.pythonPath} with numpy ${await probes.numpyVersion()}`, needed);
      } catch (err) {
        return fail(
          "python",
          needed,
          `${s.pythonPath} with numpy: ${why(err)}${needed ? "" : " (only llm-inference and CUDA matmul need it)"}`,
          "sudo apt-get install -y python3 python3-numpy (or python3 -m pip install numpy); RIGEL_AGENT_PYTHON_PATH names another python",
        );
      }
    })(),
  );

  if (s.oracleUrls.length === 0) {
    results.push(
      Promise.resolve(
        fail(
          "oracles",
          true,
          "no oracle URLs configured",
          "set RIGEL_AGENT_ORACLE_URLS (oracleUrls in the config) to the committee's URLs",
        ),
      ),
    );
  }
  for (const url of s.oracleUrls) {
    results.push(
      probes.oracleHealth(url).then(
        (h) =>
          h.ok
            ? pass(`oracle ${url}`, "healthy")
            : fail(`oracle ${url}`, true, `answers ${h.status}`, "the oracle is up but not ready: ask its operator"),
        (err) =>
          fail(
            `oracle ${url}`,
            true,
            `unreachable (${networkWhy(err)})`,
            "check the URL in RIGEL_AGENT_ORACLE_URLS and the network",
          ),
      ),
    );
  }

  results.push(
    probes.port().then(
      (state) =>
        state === "free"
          ? pass("port", `${s.host}:${s.port} is free for the agent`)
          : state === "agent"
            ? pass("port", `${s.host}:${s.port} is held by a running agent that answers /healthz`)
            : fail(
                "port",
                true,
                `${s.host}:${s.port} is taken by another program`,
                "stop it, or set RIGEL_AGENT_PORT to a free port",
              ),
      (err) => fail("port", true, why(err), "set RIGEL_AGENT_HOST / RIGEL_AGENT_PORT to an address this host has"),
    ),
  );

  return (await Promise.all(results)).flat();
}

/** Doctor's exit code: 0 only when every required check passed. */
export function doctorExitCode(results: readonly CheckResult[]): number {
  return results.every((r) => r.ok || !r.required) ? 0 : 1;
}

/** `✓ name  detail` or `✗ name  detail` + `    fix: …` (an optional check that failed shows `!`). */
export function formatDoctor(results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines: string[] = [];
  for (const r of results) {
    const mark = r.ok ? "✓" : r.required ? "✗" : "!";
    lines.push(`${mark} ${r.name.padEnd(width)}  ${r.detail}`);
    if (!r.ok && r.fix) lines.push(`  ${" ".repeat(width)}  fix: ${r.fix}`);
  }
  const failed = results.filter((r) => !r.ok && r.required).length;
  lines.push(
    "",
    failed === 0 ? "all required checks pass" : `${failed} required check${failed === 1 ? "" : "s"} failed`,
  );
  return lines.join("\n");
}
