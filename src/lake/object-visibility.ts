// Which objects a reader may read. Compaction publishes a merged object before it deletes the objects it
// merged, and a reader may list a partition at any moment between the two. Object names settle it: the
// objects of one shard in one partition cover disjoint sequence ranges, except a merged object, whose range
// spans exactly the objects it merged. So an object whose range lies inside another object's range (same
// partition, stream and shard) has been merged into it, and is skipped. A reader therefore sees either
// the sources (listed before the merged object appeared) or the merged object alone: never both, never
// neither. Sources are deleted only a while later (compaction's deleteSourcesAfterMs), so a query that
// listed them just before still finds them.
import { compareSequenceNumbers } from "../stream/index.js";
import { parseObjectKey, type ParsedObjectKey } from "./object-names.js";
import type { ObjectInfo } from "./object-store.js";

interface NamedObject<T extends ObjectInfo = ObjectInfo> {
  object: T;
  name: ParsedObjectKey;
}

export interface Visibility<T extends ObjectInfo> {
  /** what readers read, in key order */
  visible: T[];
  /** merged into a visible object, waiting to be deleted */
  covered: Array<{ object: T; coveredBy: T }>;
}

export function objectVisibility<T extends ObjectInfo>(objects: readonly T[]): Visibility<T> {
  const groups = new Map<string, Array<NamedObject<T>>>();
  const visible: T[] = [];
  for (const object of objects) {
    const name = parseObjectKey(object.key);
    // Objects the lake did not name are not the lake's to hide.
    if (!name) {
      visible.push(object);
      continue;
    }
    const group = `${name.partitionPrefix}\n${name.stream}\n${name.shardId}\n${name.extension}`;
    let members = groups.get(group);
    if (!members) groups.set(group, (members = []));
    members.push({ object, name });
  }
  const covered: Visibility<T>["covered"] = [];
  for (const members of groups.values()) {
    // By first sequence number, and the widest range first among equals: a range then covers every later
    // one that ends at or before it does.
    members.sort((a, b) => compareSequenceNumbers(a.name.firstSequenceNumber, b.name.firstSequenceNumber) || compareSequenceNumbers(b.name.lastSequenceNumber, a.name.lastSequenceNumber));
    let cover: NamedObject<T> | undefined;
    for (const member of members) {
      if (cover && compareSequenceNumbers(member.name.lastSequenceNumber, cover.name.lastSequenceNumber) <= 0) {
        covered.push({ object: member.object, coveredBy: cover.object });
      } else {
        cover = member;
        visible.push(member.object);
      }
    }
  }
  visible.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { visible, covered };
}
