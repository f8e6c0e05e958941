// Probes for the tests of scripts that start and stop services (the demo's --keep, the load's
// interrupt): whether a port on 127.0.0.1 accepts a connection, and whether a process is alive.
import net from "node:net";

export { alive } from "../../../scripts/lib/childGroups";

/** Whether something accepts a TCP connection on 127.0.0.1:`port`. */
export function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
