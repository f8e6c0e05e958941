/** The sandbox is prepared by the executor's code (sdk/executor/prepareSandbox.ts), shared with the oracle. */
export { prepareSandbox, SandboxRuntimeError, type PreparedSandbox } from "../../sdk/executor/prepareSandbox";
export { parseSandboxNetworks, type SandboxSettings as AgentSandboxSettings } from "../../sdk/executor/sandboxConfig";
