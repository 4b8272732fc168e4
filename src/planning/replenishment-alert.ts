// The message planning sends and the dispatcher reads: one store and product to replenish. Both sides use
// this one definition, so the body's shape is checked where it is read, not trusted.

export type AlertPriority = "high" | "normal";

export interface ReplenishmentAlert {
  store_id: string;
  product_id: string;
  current_level: number;
  reorder_point: number;
  target_level: number;
  /** units to bring: target_level − current_level */
  quantity: number;
  priority: AlertPriority;
  /** ISO 8601, shop time */
  planned_at: string;
  run_id: string;
}

/** High when the level is down to half the reorder point or less: that store runs out first. */
export function priorityOf(currentLevel: number, reorderPoint: number): AlertPriority {
  return currentLevel <= reorderPoint / 2 ? "high" : "normal";
}

export class MalformedAlertError extends Error {
  override readonly name = "MalformedAlertError";
}

/** Parses a message body; a body that is not an alert throws, so its message ends in the dead-letter queue. */
export function parseAlert(body: string): ReplenishmentAlert {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (cause) {
    throw new MalformedAlertError("the message body is not JSON", { cause });
  }
  const alert = value as Partial<ReplenishmentAlert> | null;
  if (
    alert === null ||
    typeof alert !== "object" ||
    typeof alert.store_id !== "string" ||
    typeof alert.product_id !== "string" ||
    !Number.isInteger(alert.quantity) ||
    (alert.quantity ?? 0) < 1
  ) {
    throw new MalformedAlertError("the message body is not a replenishment alert (store_id, product_id and a positive integer quantity)");
  }
  return alert as ReplenishmentAlert;
}
