// The query protocol's flat members and XML answers, converted to and from the JSON protocol's shapes, so
// one set of operations serves both. A form's `Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=60`
// is JSON's `Attributes: {VisibilityTimeout: "60"}`; `SendMessageBatchRequestEntry.2.Id=b` is
// `Entries[1].Id`. Answers go the other way: JSON's `Messages` list is a run of flattened `<Message>`
// elements, its maps are runs of `<Attribute><Name/><Value/></Attribute>`.

type Tree = { [key: string]: Tree | string };

/** Flattened lists: the form's member name → the JSON member. */
const LISTS: Record<string, string> = {
  AttributeName: "AttributeNames",
  MessageSystemAttributeName: "MessageSystemAttributeNames",
  MessageAttributeName: "MessageAttributeNames",
  TagKey: "TagKeys",
  SendMessageBatchRequestEntry: "Entries",
  DeleteMessageBatchRequestEntry: "Entries",
  ChangeMessageVisibilityBatchRequestEntry: "Entries",
  AWSAccountId: "AWSAccountIds",
  ActionName: "Actions",
};

/** Flattened maps: the form's member name → the JSON member and the entry's key and value names. */
const MAPS: Record<string, { member: string; key: string; value: string }> = {
  Attribute: { member: "Attributes", key: "Name", value: "Value" },
  MessageAttribute: { member: "MessageAttributes", key: "Name", value: "Value" },
  MessageSystemAttribute: { member: "MessageSystemAttributes", key: "Name", value: "Value" },
  Tag: { member: "Tags", key: "Key", value: "Value" },
};

/** Members whose values are integers (the form carries them as text). */
const INTEGERS = new Set(["DelaySeconds", "MaxNumberOfMessages", "VisibilityTimeout", "WaitTimeSeconds", "MaxResults", "MaxNumberOfMessagesPerSecond"]);

/** A query request's form fields as the JSON protocol's input object. */
export function queryInput(form: Record<string, unknown>): Record<string, unknown> {
  const tree: Tree = {};
  for (const [key, value] of Object.entries(form)) {
    if (typeof value !== "string") continue;
    const path = key.split(".");
    let node = tree;
    for (const segment of path.slice(0, -1)) {
      const next = node[segment];
      if (typeof next === "string") break;
      node = next ?? (node[segment] = {});
    }
    node[path.at(-1)!] = value;
  }
  return convert(tree) as Record<string, unknown>;
}

function items(node: Tree | string): Array<Tree | string> {
  if (typeof node === "string") return [node];
  return Object.keys(node)
    .filter((key) => /^\d+$/.test(key))
    .sort((a, b) => Number(a) - Number(b))
    .map((key) => node[key]!);
}

function convert(node: Tree | string): unknown {
  if (typeof node === "string") return node;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(node)) {
    const map = MAPS[key];
    if (map) {
      const entries: Record<string, unknown> = {};
      for (const item of items(child)) {
        if (typeof item === "string") continue;
        const name = item[map.key];
        if (typeof name === "string") entries[name] = convert(item[map.value] ?? "");
      }
      out[map.member] = entries;
    } else if (LISTS[key] !== undefined) {
      out[LISTS[key]] = items(child).map(convert);
    } else if (INTEGERS.has(key) && typeof child === "string" && /^-?\d{1,15}$/.test(child)) {
      out[key] = Number(child);
    } else {
      out[key] = convert(child);
    }
  }
  return out;
}

/** JSON output member → the query answer's element; maps become runs of key/value pairs. */
const OUTPUT_LISTS: Record<string, string> = {
  QueueUrls: "QueueUrl",
  queueUrls: "QueueUrl",
  Messages: "Message",
  Failed: "BatchResultErrorEntry",
  Results: "ListMessageMoveTasksResultEntry",
};
const OUTPUT_MAPS: Record<string, { element: string; key: string; value: string }> = {
  Attributes: { element: "Attribute", key: "Name", value: "Value" },
  MessageAttributes: { element: "MessageAttribute", key: "Name", value: "Value" },
  Tags: { element: "Tag", key: "Key", value: "Value" },
};

/** A JSON-shaped output as the query protocol's result element contents; `action` names batch entries. */
export function queryOutput(action: string, output: object): object {
  return reshape(output, action) as object;
}

function reshape(value: unknown, action: string): unknown {
  if (Array.isArray(value)) return value.map((item) => reshape(item, action));
  if (value === null || typeof value !== "object" || value instanceof Uint8Array || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    const map = OUTPUT_MAPS[key];
    if (map && member !== null && typeof member === "object") {
      out[map.element] = Object.entries(member).map(([name, entry]) => ({ [map.key]: name, [map.value]: reshape(entry, action) }));
    } else if (key === "Successful") {
      out[`${action}ResultEntry`] = reshape(member, action);
    } else {
      out[OUTPUT_LISTS[key] ?? key] = reshape(member, action);
    }
  }
  return out;
}
