// Databases are the operator's alone (issue 18): the journal, the oracle's decisions and capacity
// nonces were world-readable (0644 files from the umask). Now 0600 for the main file, -wal and -shm,
// and 0700 for a folder openDatabase creates.
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { databaseFiles, openDatabase } from "../../../sdk/db/openDatabase";

const mode = (p: string) => fs.statSync(p).mode & 0o777;

describe("sdk/db/openDatabase: permissions", () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "rigel-db-"));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("creates the folder 0700 and the main file, -wal and -shm 0600, whatever the umask", () => {
    const previous = process.umask(0o000);
    try {
      const file = path.join(root, "data", "agent", "journal.db");
      const db = openDatabase({ file, migrations: ["CREATE TABLE t (x INTEGER)"] });
      db.prepare("INSERT INTO t VALUES (1)").run();
      const files = databaseFiles(file);
      for (const f of files) expect(fs.existsSync(f), f).to.equal(true);
      for (const f of files) expect(mode(f), f).to.equal(0o600);
      expect(mode(path.dirname(file))).to.equal(0o700);
      expect(mode(path.join(root, "data"))).to.equal(0o700);
      db.close();
    } finally {
      process.umask(previous);
    }
  });

  it("narrows a database an older version left 0644 (and its -wal and -shm) when it opens it", () => {
    const file = path.join(root, "old.db");
    const first = openDatabase({ file, migrations: ["CREATE TABLE t (x INTEGER)"] });
    first.prepare("INSERT INTO t VALUES (1)").run();
    first.close();
    fs.chmodSync(file, 0o644);
    const db = openDatabase({ file, migrations: ["CREATE TABLE t (x INTEGER)"] });
    db.prepare("INSERT INTO t VALUES (2)").run();
    for (const f of databaseFiles(file)) if (fs.existsSync(f)) expect(mode(f), f).to.equal(0o600);
    expect(db.prepare("SELECT COUNT(*) AS n FROM t").get()).to.deep.equal({ n: 2 });
    db.close();
  });
});
