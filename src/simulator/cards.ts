// Payment cards as a processor reports them: a stable fingerprint per card, never the number. A customer
// owns one or two cards, derived from their id alone, so paying with one draws nothing from the random
// stream and a seed's traffic does not change when fingerprints are added.
import { hash32, type Random } from "./random.js";

/** Methods that charge a card the processor can fingerprint (a wallet wraps a card). */
const CARD_METHODS: ReadonlySet<string> = new Set(["card", "apple_pay"]);

/** Share of customers with a second card. */
const SECOND_CARD_SHARE = 0.3;
/** How often a two-card customer pays with the first one. */
const PRIMARY_CARD_SHARE = 0.75;

export function paysByCard(method: string): boolean {
  return CARD_METHODS.has(method);
}

function fingerprint(high: number, low: number): string {
  return `card_${high.toString(16).padStart(8, "0")}${low.toString(16).padStart(8, "0")}`;
}

/** The card a customer pays `orderId` with: their primary card mostly, their second one (if any) otherwise. */
export function customerCardFingerprint(customerId: string, orderId: string): string {
  const hasSecondCard = hash32(`${customerId}#cards`) / 2 ** 32 < SECOND_CARD_SHARE;
  const cardIndex = hasSecondCard && hash32(orderId) / 2 ** 32 >= PRIMARY_CARD_SHARE ? 1 : 0;
  const name = `${customerId}#card${cardIndex}`;
  return fingerprint(hash32(name), hash32(name, 0x9747b28c));
}

/** A card nobody in the shop has used before: a stolen one, or one a card tester tries. */
export function unseenCardFingerprint(random: Random): string {
  return fingerprint(Math.floor(random.next() * 2 ** 32), Math.floor(random.next() * 2 ** 32));
}
