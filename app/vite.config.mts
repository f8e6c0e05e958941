// The dapp's build. `npm run app` serves it on 127.0.0.1:8671 (RIGEL_APP_PORT), `npm run app:build`
// writes app/dist. The page reads `rigel.json` beside it (RPC URL + deployment record), made here from
// VITE_RIGEL_RPC_URL (default http://127.0.0.1:8545) and RIGEL_DEPLOYMENT (default
// deployments/<RIGEL_CHAIN_ID or 31337>.json): served live by the dev and preview servers, written
// into dist at build time.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

const appDir = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(appDir, "..");

/**
 * The `rigel.json` the page loads: `{ rpcUrl, oracleUrls, deployment }` (deployment null when none
 * exists yet; oracleUrls from VITE_RIGEL_ORACLE_URLS, comma-separated, for the operators' liveness).
 */
export function rigelJson(env: NodeJS.ProcessEnv = process.env): string {
  const rpcUrl = env.VITE_RIGEL_RPC_URL ?? "http://127.0.0.1:8545";
  const oracleUrls = (env.VITE_RIGEL_ORACLE_URLS ?? "")
    .split(",")
    .map((u) => u.trim())
    .filter(Boolean);
  const file = path.resolve(
    repo,
    env.RIGEL_DEPLOYMENT ?? path.join("deployments", `${env.RIGEL_CHAIN_ID ?? "31337"}.json`),
  );
  const deployment = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : null;
  // The indexer (PROTOCOL §21), optional: without it the page reads history from chain logs.
  const indexerUrl = env.VITE_RIGEL_INDEXER_URL || undefined;
  // Optional: the page offers WalletConnect (phones) beside the injected wallet (PROTOCOL §16.7).
  const walletConnectProjectId = env.VITE_WALLETCONNECT_PROJECT_ID || undefined;
  return JSON.stringify({ rpcUrl, oracleUrls, deployment, indexerUrl, walletConnectProjectId }, null, 2);
}

function rigelConfigPlugin(): Plugin {
  const serve = (_req: unknown, res: { setHeader(k: string, v: string): void; end(body: string): void }) => {
    res.setHeader("content-type", "application/json");
    res.setHeader("cache-control", "no-store");
    res.end(rigelJson());
  };
  return {
    name: "rigel-config",
    configureServer(server) {
      server.middlewares.use("/rigel.json", serve);
    },
    configurePreviewServer(server) {
      server.middlewares.use("/rigel.json", serve);
    },
    generateBundle() {
      this.emitFile({ type: "asset", fileName: "rigel.json", source: rigelJson() });
    },
  };
}

const port = Number(process.env.RIGEL_APP_PORT ?? 8671);

export default defineConfig({
  root: appDir,
  base: "./",
  plugins: [react(), rigelConfigPlugin()],
  resolve: {
    // sdk/spec/validateJobSpec.ts uses path.posix.normalize: the browser gets Node's own algorithm.
    alias: { "node:path": "path-browserify" },
  },
  server: { host: "127.0.0.1", port, strictPort: true, fs: { allow: [repo] } },
  preview: { host: "127.0.0.1", port: port + 1, strictPort: true },
  build: { outDir: path.join(appDir, "dist"), emptyOutDir: true, chunkSizeWarningLimit: 1500 },
});
