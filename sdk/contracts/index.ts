export * from "./abis";
export * from "./deployments";
