import path from "node:path";
import { defineConfig } from "vitest/config";

// Component and unit tests of the dapp (happy-dom). `npm test` runs them with `vitest run --root app`.
export default defineConfig({
  resolve: { alias: { "node:path": "path-browserify" } },
  test: {
    root: path.resolve(__dirname),
    environment: "happy-dom",
    include: ["test/**/*.test.{ts,tsx}"],
  },
});
