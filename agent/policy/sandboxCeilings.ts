/** The sandbox ceilings live with the executor (sdk/executor/sandboxCeilings.ts), shared with the oracle. */
export { sandboxDecline, type SandboxCeilings, type SandboxDecline } from "../../sdk/executor/sandboxCeilings";
export { imageRegistry } from "../../sdk/executor/imageReference";
