import Database from "better-sqlite3";
import type { CommandAnswer } from "../../ports/command-reservations.js";

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_id TEXT NOT NULL,
    revision INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    metadata TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    UNIQUE (stream_id, revision)
  );
  -- No index of event ids: they are random, so one dirties a random page of it per event (a 64-event append
  -- on a 500,000-event file wrote 104 WAL pages with it, 17 without). Retries are recognised by
  -- (stream_id, revision) and repeated commands by their claim. Files created with it lose it here.
  DROP INDEX IF EXISTS events_event_id;
  CREATE TABLE IF NOT EXISTS streams (stream_id TEXT PRIMARY KEY, revision INTEGER NOT NULL) WITHOUT ROWID;
  -- Each client's Command-Ids, for good: written in the transaction of the command's events, or for a
  -- command answered without events with its answer (JSON: reply and position).
  CREATE TABLE IF NOT EXISTS command_ids (
    client_id TEXT NOT NULL,
    command_id TEXT NOT NULL,
    command TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    stream_id TEXT NOT NULL,
    answer TEXT,
    PRIMARY KEY (client_id, command_id)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS store_identity (id TEXT PRIMARY KEY) WITHOUT ROWID;
`;

/**
 * Opens the events file: WAL, synchronous=FULL (an acknowledged append
 * survives a power cut), the schema created if missing. Automatic checkpoints
 * are off: they would run inside a commit; the writer checkpoints between
 * commits instead.
 */
export function openEventsFile(file: string): Database.Database {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("busy_timeout = 5000");
  db.pragma("wal_autocheckpoint = 0");
  db.exec(SCHEMA);
  addAnswerColumn(db);
  return db;
}

/** Files made before no-ops took their Command-Id get the column (another process may add it first). */
function addAnswerColumn(db: Database.Database): void {
  const hasAnswer = () =>
    db
      .prepare<[], { name: string }>("SELECT name FROM pragma_table_info('command_ids')")
      .all()
      .some((column) => column.name === "answer");
  if (hasAnswer()) return;
  try {
    db.exec("ALTER TABLE command_ids ADD COLUMN answer TEXT");
  } catch (error) {
    if (!hasAnswer()) throw error;
  }
}

/** A command_ids row's answer column as the port has it. */
export const answerFrom = (json: string | null | undefined): CommandAnswer | undefined => {
  if (json === null || json === undefined) return undefined;
  const { reply, position } = JSON.parse(json) as { reply: unknown; position: string };
  return { reply, position: BigInt(position) };
};

export const answerJson = ({ reply, position }: CommandAnswer): string =>
  JSON.stringify({ reply, position: position.toString() });
