import fs from "node:fs";
import path from "node:path";
import { parseDeployment, DeploymentError, type Deployment } from "./parseDeployment";

export { DEPLOYED_CONTRACTS, DeploymentError, parseDeployment } from "./parseDeployment";
export type { DeployedContractName, Deployment } from "./parseDeployment";

/**
 * Reads `deployments/<chainId>.json` (written by `scripts/deploy.ts`) from `dir` (default: the
 * repository's `deployments/`), or the file given by `file`.
 */
export function loadDeployment(options: { chainId?: number; dir?: string; file?: string }): Deployment {
  const file =
    options.file ??
    path.join(options.dir ?? path.resolve(__dirname, "..", "..", "deployments"), `${options.chainId ?? 31337}.json`);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new DeploymentError(
      `no deployment at ${file}: deploy first (npx hardhat run scripts/deploy.ts --network localhost)`,
      { file },
      err,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new DeploymentError(`${file}: not valid JSON`, { file }, err);
  }
  const deployment = parseDeployment(json, file);
  if (options.chainId !== undefined && deployment.chainId !== options.chainId) {
    throw new DeploymentError(`${file}: records chain ${deployment.chainId}, expected ${options.chainId}`, {
      file,
      chainId: deployment.chainId,
    });
  }
  return deployment;
}
