// Every word the windows show, by Fluent message id, in the language the shell speaks
// (language.svelte.ts). The messages are locales/<lang>/ringside.ftl at the repository's root:
// the same files the shell and the CLI read (crates/i18n). `MessageId` is written from the
// English file by `cargo test`, so an id the files lack fails `npm run check`. Plurals are
// Fluent's (CLDR's categories: uk, ru and pl have one/few/many); a message a language lacks is
// English's. How to add a message or a language: docs/i18n.md.
import { FluentBundle, FluentResource, type FluentVariable } from "@fluent/bundle";
import en from "../../../locales/en/ringside.ftl?raw";
import pl from "../../../locales/pl/ringside.ftl?raw";
import ru from "../../../locales/ru/ringside.ftl?raw";
import uk from "../../../locales/uk/ringside.ftl?raw";
import type { AgentState } from "../bindings/AgentState";
import type { CardStatus } from "../bindings/CardStatus";
import type { CreatedKind } from "../bindings/CreatedKind";
import type { CustomerMatch } from "../bindings/CustomerMatch";
import type { Direction } from "../bindings/Direction";
import type { EndCause } from "../bindings/EndCause";
import type { Language } from "../bindings/Language";
import type { LanguageChoice } from "../bindings/LanguageChoice";
import type { MemberState } from "../bindings/MemberState";
import type { MessageId } from "../bindings/MessageId";
import type { Notice } from "../bindings/Notice";
import type { OrderSummary } from "../bindings/OrderSummary";
import type { Outcome } from "../bindings/Outcome";
import type { PauseReason } from "../bindings/PauseReason";
import { isReport } from "./api";
import { speech } from "./language.svelte";

export type { MessageId };
type Args = Record<string, string | number | null | undefined>;

const sources: Record<Language, string> = { en, ru, uk, pl };
const bundles: Partial<Record<Language, FluentBundle>> = {};

/** One language's messages, parsed on first use. No isolation marks (FSI/PDI) around
 * placeables: every text here is left to right, the caller's text lost its bidi controls where
 * it entered, and the marks would only get in the way of copying and of tests. */
function bundle(language: Language): FluentBundle {
  let b = bundles[language];
  if (!b) {
    b = new FluentBundle(language, { useIsolating: false });
    const errors = b.addResource(new FluentResource(sources[language]));
    if (errors.length) console.error(`locales/${language}/ringside.ftl:`, errors);
    bundles[language] = b;
  }
  return b;
}

function format(language: Language, id: string, args: Args): string | null {
  const b = bundle(language);
  const pattern = b.getMessage(id)?.value;
  if (!pattern) return null;
  const values: Record<string, FluentVariable> = {};
  for (const [name, value] of Object.entries(args)) values[name] = value ?? "";
  const errors: Error[] = [];
  const text = b.formatPattern(pattern, values, errors);
  return errors.length ? null : text;
}

/** The words of `id` in the current language (English's when it lacks them), placeables filled
 * from `args`; a plural chooses by `args.n`, which must be a number. */
export function t(id: MessageId, args: Args = {}): string {
  return format(speech.language, id, args) ?? format("en", id, args) ?? id;
}

/** A failure in words: an `ErrorReport` by its code (`pbx.login_refused` →
 * `error-pbx-login-refused`) with its arguments; in English, or when the language lacks the
 * code, its own English `message` (the most precise: it may name the cause below); anything
 * else as it was thrown. */
export function errorText(e: unknown): string {
  if (isReport(e)) {
    const id = `error-${e.code.replace(/[._]/g, "-")}`;
    return (speech.language === "en" ? null : format(speech.language, id, e.args)) ?? e.message;
  }
  if (typeof e === "object" && e !== null && typeof (e as { message?: unknown }).message === "string") {
    return (e as { message: string }).message;
  }
  return String(e);
}

/** The BCP 47 tag dates and numbers are written in. */
export function locale(): string {
  return speech.language;
}

// Words chosen by a value the runtime sends: one map each, so a new value fails `npm run check`.
export const agentStateIds: Record<AgentState["state"], MessageId> = {
  logged_out: "agent-logged-out",
  available: "agent-available",
  paused: "agent-paused",
  ringing: "agent-ringing",
  on_call: "agent-on-call",
  wrap_up: "agent-wrap-up",
};
export const directionIds: Record<Direction, MessageId> = { incoming: "direction-incoming", outgoing: "direction-outgoing" };
export const statusIds: Record<CardStatus, MessageId> = {
  ringing: "status-ringing",
  dialing: "status-dialing",
  on_call: "status-on-call",
  ended: "status-ended",
};
const endIds: Record<EndCause["kind"], MessageId> = {
  completed: "end-completed",
  no_answer: "end-no-answer",
  answered_elsewhere: "end-answered-elsewhere",
  abandoned: "end-abandoned",
  busy: "end-busy",
  transferred: "end-transferred",
  failed: "end-failed",
  interrupted: "end-interrupted",
};
const outcomeIds: Record<Outcome, MessageId> = {
  answered: "outcome-answered",
  missed: "outcome-missed",
  answered_elsewhere: "outcome-answered-elsewhere",
  abandoned: "outcome-abandoned",
  failed: "outcome-failed",
  busy: "outcome-busy",
  transferred: "outcome-transferred",
  interrupted: "outcome-interrupted",
  in_progress: "outcome-in-progress",
};
/** The language picker's choices, each language named in itself. */
export const languageChoiceIds: Record<LanguageChoice, MessageId> = {
  auto: "language-auto",
  en: "language-en",
  ru: "language-ru",
  uk: "language-uk",
  pl: "language-pl",
};
export const createdKindIds: Record<CreatedKind, MessageId> = {
  customer: "card-create-kind-customer",
  contact: "card-create-kind-contact",
  lead: "card-create-kind-lead",
};

/** Ringside's own pause reasons (`[agent] pause_reasons` without a label of their own): by code,
 * in the reader's language. The PBX gets the code. */
const builtinReasonIds: Record<string, MessageId> = {
  break: "pause-reason-break",
  lunch: "pause-reason-lunch",
  training: "pause-reason-training",
  meeting: "pause-reason-meeting",
  back_office: "pause-reason-back-office",
};
const builtinEnglish: Record<string, string> = {
  break: "Break",
  lunch: "Lunch",
  training: "Training",
  meeting: "Meeting",
  back_office: "Back office",
};

/** A configured reason as people read it: the administrator's label as written, else
 * Ringside's own words for the code. */
export function reasonLabel(r: PauseReason): string {
  if (r.label) return r.label;
  const id = builtinReasonIds[r.code];
  return id ? t(id) : r.code;
}

/** A reason the PBX reports as people read it: a configured reason by its code (in any case),
 * or by its English words (what older Ringsides sent: "Lunch"); any other as the PBX has it. */
export function pauseReasonText(reason: string, reasons: PauseReason[]): string {
  const said = reason.trim().toLowerCase();
  const english = (r: PauseReason) => (r.label ?? builtinEnglish[r.code] ?? r.code).toLowerCase();
  const known =
    reasons.find((r) => r.code === reason) ??
    reasons.find((r) => r.code.toLowerCase() === said) ??
    reasons.find((r) => english(r) === said);
  return known ? reasonLabel(known) : reason;
}

/** A team member's state, as the supervisor reads it. */
export const memberStateIds: Record<MemberState["state"], MessageId> = {
  available: "team-state-available",
  ringing: "team-state-ringing",
  in_call: "team-state-in-call",
  paused: "team-state-paused",
  unavailable: "team-state-unavailable",
};

/** Why a customer matched the number ("same E.164", "last 9 digits, chosen before"); a source
 * that does not say is shown in its own (English) words. */
export function matchText(c: CustomerMatch): string {
  const why = c.why;
  if (!why) return c.reason;
  const how = why.how;
  let text: string;
  switch (how.kind) {
    case "same_e164":
      text = t("customer-match-same-e164");
      break;
    case "last_digits":
      text = t("customer-match-last-digits", { n: how.digits });
      break;
    case "same_number_in":
      text = t("customer-match-same-number-in", { crm: how.crm });
      break;
    case "created":
      text = t("customer-match-created");
      break;
  }
  return why.chosen_before ? t("customer-match-chosen-before", { why: text }) : text;
}

/** An order's amount in the agent's locale when the source gave a number ("1 250,00 ₴"), else
 * as the source wrote it. */
export function amountText(o: OrderSummary): string | null {
  if (o.money) {
    const { minor, currency } = o.money;
    const style: Intl.NumberFormatOptions = currency
      ? { style: "currency", currency }
      : { minimumFractionDigits: 2, maximumFractionDigits: 2 };
    try {
      return new Intl.NumberFormat(locale(), style).format(minor / 100);
    } catch {
      // A currency code Intl does not know: the source's own text.
    }
  }
  return o.amount;
}

export function outcomeText(outcome: EndCause): string {
  switch (outcome.kind) {
    case "failed":
      return t("end-failed", { why: outcome.detail });
    case "answered_elsewhere":
      return outcome.detail.by ? t("end-answered-by", { who: outcome.detail.by }) : t("end-answered-elsewhere");
    default:
      return t(endIds[outcome.kind]);
  }
}

export function historyOutcomeText(outcome: Outcome): string {
  return t(outcomeIds[outcome]);
}

export type NoticeWords = { tag: string; urgent: boolean; summary: string; body: string };

/** A typed notice in words (the shell words the desktop notification from the same messages:
 * src-tauri/words.rs). */
export function noticeWords(notice: Notice, now: number): NoticeWords {
  switch (notice.kind) {
    case "auto_paused":
      return {
        tag: "auto-pause",
        urgent: true,
        summary: t("notice-auto-paused-summary"),
        body: t("notice-auto-paused-body", { n: notice.missed, reason: notice.reason }),
      };
    case "missed_call": {
      const who = [notice.name, notice.number].find((w) => w && w.trim()) || t("notice-withheld");
      return {
        tag: "missed-calls",
        urgent: false,
        summary: t("notice-missed-call-summary", { who }),
        body: t("notice-missed-call-body", { n: Math.max(1, notice.waiting) }),
      };
    }
    case "wrap_up_resumed":
      return {
        tag: "wrap-up",
        urgent: false,
        summary: t("notice-wrap-up-resumed-summary"),
        body: t("notice-wrap-up-resumed-body", { secs: Math.max(0, Math.round((notice.ends_at - now) / 1000)) }),
      };
    case "incoming_call": {
      const name = notice.name?.trim() ? notice.name : null;
      const number = notice.number.trim() ? notice.number : null;
      return {
        tag: "incoming-call",
        urgent: false,
        summary: t("notice-incoming-call-summary", { who: name || number || t("notice-withheld") }),
        body: name && number ? number : "",
      };
    }
    case "wrap_up_pause_cleared":
      return {
        tag: "wrap-up",
        urgent: false,
        summary: t("notice-wrap-up-pause-cleared-summary"),
        body: t("notice-wrap-up-pause-cleared-body"),
      };
  }
}
