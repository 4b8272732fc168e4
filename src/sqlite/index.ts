// SQLite helpers shared by the backends that keep their data in SQLite (the stream, the serving store).
export { WalCheckpointer } from "./wal-checkpointer.js";
