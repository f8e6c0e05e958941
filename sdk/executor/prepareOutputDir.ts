import fs from "node:fs/promises";
import { parseSandboxUser } from "./containerSandbox";

/**
 * Creates a container's output directory, owned by the sandbox user and closed to everyone else
 * (`0700`: never world-writable, and no other host user can reach what the container leaves there).
 * A root process hands it to `user`; any other process keeps it (its containers then run as itself,
 * `defaultSandbox`), so it can always remove the leftovers.
 */
export async function prepareOutputDir(outputDir: string, user: string): Promise<void> {
  await fs.mkdir(outputDir, { recursive: true });
  await fs.chmod(outputDir, 0o700);
  if ((process.getuid?.() ?? -1) === 0) {
    const { uid, gid } = parseSandboxUser(user);
    await fs.chown(outputDir, uid, gid);
  }
}
