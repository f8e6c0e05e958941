// Which roles an account still holds, found from the chain's own RoleGranted logs rather than from a
// list of role names: AccessControl cannot enumerate members, but every grant is logged, so checking
// hasRole for each (contract, role) ever granted to the account finds any role a list would miss.
import { Contract, Interface, zeroPadValue, type Provider } from "ethers";

const accessControl = new Interface([
  "event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)",
  "function hasRole(bytes32 role, address account) view returns (bool)",
]);

/** A role still held: the contract's name (as given), its address and the role id. */
export interface HeldRole {
  contract: string;
  address: string;
  role: string;
}

/**
 * The roles `account` holds now among those it was ever granted, since `fromBlock`, on `contracts`
 * (name → address). Empty when it holds none.
 */
export async function rolesHeldBy(
  provider: Provider,
  contracts: Record<string, string>,
  account: string,
  fromBlock = 0,
): Promise<HeldRole[]> {
  const topic = accessControl.getEvent("RoleGranted")!.topicHash;
  const held: HeldRole[] = [];
  for (const [name, address] of Object.entries(contracts)) {
    const logs = await provider.getLogs({ address, fromBlock, topics: [topic, null, zeroPadValue(account, 32)] });
    const roles = [...new Set(logs.map((log) => log.topics[1]))];
    const c = new Contract(address, accessControl, provider);
    for (const role of roles) {
      if (await c.hasRole(role, account)) held.push({ contract: name, address, role });
    }
  }
  return held;
}
