// What the backends that keep their data in SQLite share: the stream, the serving store and the queues.
export { WalCheckpointer } from "./wal-checkpointer.js";
