// What a card says about its call, the same in the full card and the card window's bar.
import type { CallCard } from "../bindings/CallCard";
import { duration } from "./format";
import { talkSecs } from "./session.svelte";
import { t } from "./words";

/** The number once, as people in the agent's region write it once the lookup has read it. */
export function shownNumber(card: CallCard): string {
  return card.number_display ?? (card.number || t("card-withheld"));
}

/** Talk time once answered; while it rings (or dials out), how long it has been ringing. */
export function timerText(card: CallCard, now: number): string {
  if (card.answer_at != null) return duration(talkSecs(card, now));
  if (card.status === "ringing" || card.status === "dialing") return duration((now - card.ring_at) / 1000);
  return "";
}

/** Whether a caller ID name only repeats the number (PBXs often send the number again as the
 * name, formatted differently): then it says nothing. */
export function repeatsNumber(name: string, number: string): boolean {
  const digits = name.replace(/\D/g, "");
  return /^[\d\s+().-]*$/.test(name) && digits.length > 0 && number.replace(/\D/g, "").endsWith(digits);
}
