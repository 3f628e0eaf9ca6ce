// Every word the windows show, by key. English only for now; the other languages (uk, ru, pl)
// add a catalogue with the same keys. Plural forms follow Intl.PluralRules, so a language
// with "few" and "many" (uk, ru, pl) gets them right; `{name}` is filled from the arguments.
import type { EndCause } from "../bindings/EndCause";
import type { Notice } from "../bindings/Notice";
import type { Outcome } from "../bindings/Outcome";

type Forms = { one: string; few?: string; many?: string; other: string };
type Entry = string | Forms;

const en = {
  "app.starting": "starting…",
  "app.not_running": "not running",
  "agent.logged_out": "logged out",
  "agent.available": "accepting calls",
  "agent.paused": "paused",
  "agent.ringing": "ringing",
  "agent.on_call": "on a call",
  "agent.wrap_up": "in wrap-up",
  "agent.since": "since {time}",
  "agent.reason_since": "{reason}, since {time}",
  "agent.accepting": "Accepting calls",
  "agent.log_in": "Log in",
  "agent.log_out": "Log out",
  "agent.no_reason": "No reason",
  "source.connected": "PBX: {source}",
  "source.disconnected": "PBX disconnected: {reason}",
  "source.connecting": "Connecting to the PBX…",
  "direction.incoming": "Incoming",
  "direction.outgoing": "Outgoing",
  "status.ringing": "Ringing",
  "status.dialing": "Dialing",
  "status.on_call": "On call",
  "status.ended": "Ended",
  "end.completed": "Completed",
  "end.no_answer": "Missed",
  "end.answered_elsewhere": "Answered elsewhere",
  "end.answered_by": "Answered by {who}",
  "end.abandoned": "Caller hung up",
  "end.busy": "Busy",
  "end.transferred": "Transferred",
  "end.failed": "Failed: {why}",
  "end.interrupted": "Interrupted",
  "outcome.answered": "Answered",
  "outcome.missed": "Missed",
  "outcome.answered_elsewhere": "Answered elsewhere",
  "outcome.abandoned": "Caller hung up",
  "outcome.failed": "Failed",
  "outcome.busy": "Busy",
  "outcome.transferred": "Transferred",
  "outcome.interrupted": "Interrupted",
  "outcome.in_progress": "In progress",
  "card.unknown_caller": "Unknown caller",
  "card.withheld": "Number withheld",
  "card.colleague": "Colleague",
  "card.looking_up": "Looking up…",
  "card.lookup_failed": "Lookup failed: {why}",
  "card.pick": { one: "{n} customer shares this number: pick the caller", other: "{n} customers share this number: pick the caller" },
  "card.queue": "Queue {queue}",
  "card.details": "Details",
  "card.e164": "E.164",
  "card.raw_number": "As the PBX sent it",
  "card.call_id": "Call id",
  "card.caller_id_name": "Caller ID name",
  "card.retry": "Retry",
  "card.create": "Create customer…",
  "card.create_name": "Name",
  "card.create_company": "Company (optional)",
  "card.create_add": "Add",
  "card.create_in": "Create in",
  "card.create_kind_customer": "customer",
  "card.create_kind_contact": "contact",
  "card.create_kind_lead": "lead",
  "customer.new_order": "Add deal/order",
  "card.cancel": "Cancel",
  "card.note_placeholder": "Notes (saved as you type)",
  "card.note_saved": "saved",
  "card.recording": "Recording",
  "card.call_back": "Call back",
  "card.hang_up": "Hang up",
  "card.close": "Close",
  "card.minimize": "Minimize",
  "card.expand": "Expand",
  "card.more": { one: "+{n} more call", other: "+{n} more calls" },
  "customer.directory": "customer directory",
  "customer.caller": "caller",
  "customer.pick": "This is the caller",
  "customer.open": "Open in CRM",
  "wrap_up.title": "Wrap-up",
  "wrap_up.left": "{time} left",
  "wrap_up.untimed": "until you finish it",
  "wrap_up.save": "Save",
  "wrap_up.save_and_create": "Save and create customer",
  "wrap_up.cancel": "Cancel",
  "wrap_up.end_early": "End early",
  "cards.none": "No calls yet. Cards appear here when a call rings.",
  "dial.placeholder": "Number to call",
  "dial.via": "Call through",
  "dial.call": "Call",
  "link.question": "Call {number}?",
  "link.not_a_customer": "Not in your customers",
  "link.lookup_failed": "{who} (lookup failed: {why})",
  "link.service_code":
    "This number contains * or #, which your phone system may read as a service code (call forwarding, voicemail). Call it only if you expect that.",
  "link.through": "Through",
  "link.always": "Call links without asking",
  "link.cancel": "Cancel",
  "link.call": "Call",
  "callbacks.tab": "Call back",
  "callbacks.none": "No one is waiting for a call back.",
  "callbacks.waiting": { one: "{n} caller waiting for a call back", other: "{n} callers waiting for a call back" },
  "callbacks.missed": { one: "{n} missed call", other: "{n} missed calls" },
  "callbacks.last": "last {when}",
  "callbacks.queue": "queue {queue}",
  "callbacks.call": "Call",
  "callbacks.done": "Done",
  "callbacks.done_title": "Nobody needs to call this number back any more",
  "history.tab": "History",
  "history.search": "Search a number, a name or a note",
  "history.search_title": "Searches as you type; words of one or two letters when you press Enter",
  "history.missed_only": "Missed only",
  "history.both_directions": "Both directions",
  "history.any_outcome": "Any outcome",
  "history.any_time": "Any time",
  "history.today": "Today",
  "history.last_7": "Last 7 days",
  "history.last_30": "Last 30 days",
  "history.none": "No calls yet.",
  "history.agent": "Agent (extension or name)",
  "history.connection": "Connection",
  "history.call_id": "Call id",
  "history.no_match": "No calls match.",
  "history.more": "The newest {n} calls are shown: search to find older ones.",
  "history.talked": "talked {time}",
  "history.queue": "queue {queue}",
  "history.via": "via {connection}",
  "history.unsaved": "Not written to disk yet: Ringside keeps retrying",
  "history.crm": "CRM: {states}",
  "history.crm_sent": "{target}: sent",
  "history.crm_failed": "{target}: failed ({why})",
  "history.crm_pending": "{target}: pending",
  "settings.tab": "Calling settings",
  "settings.default": "(default)",
  "settings.installed": "Installed: {list}",
  "settings.microsip_at": "MicroSIP at {path}",
  "settings.zoiper_at": "Zoiper at {path}",
  "settings.none_installed": "No MicroSIP or Zoiper found.",
  "settings.links_open_in": "{scheme}: links open in {app}",
  "settings.no_app": "no application",
  "settings.ask_links": "Ask before calling a link clicked in another program",
  "settings.become_handler": "Make Ringside the handler for tel:, callto: and sip: links",
  "about.version": "Ringside {version}",
  "about.demo": "demo PBX on {addr}",
  "about.config": "config: {path}",
  "close": "Close",
  "dismiss": "Dismiss",
  "notice.auto_paused.summary": "Ringside stopped accepting calls for you",
  "notice.auto_paused.body":
    '{n} queue calls in a row rang out unanswered, so you are paused in every queue (reason: "{reason}"). Switch "accepting calls" back on when you are at your desk.',
  "notice.missed_call.summary": "Missed call from {who}",
  "notice.missed_call.withheld": "a withheld number",
  "notice.missed_call.body": {
    one: "The caller is on your call-back list.",
    other: "{n} callers are on your call-back list.",
  },
  "notice.incoming_call.summary": "Incoming call from {who}",
  "notice.wrap_up_resumed.summary": "Your wrap-up goes on",
  "notice.wrap_up_resumed.body": "Ringside restarted during your wrap-up. It ends by itself in {secs} s; finish it sooner here.",
  "notice.wrap_up_pause_cleared.summary": "You accept calls again",
  "notice.wrap_up_pause_cleared.body":
    "Your queues were still paused for a wrap-up that is over (Ringside had quit or lost the PBX), so Ringside switched accepting calls back on.",
} satisfies Record<string, Entry>;

export type Key = keyof typeof en;
type Args = Record<string, string | number | null | undefined>;

const locale = "en";
const plurals = new Intl.PluralRules(locale);

/** The words for `key`, `{name}`s filled from `args`; a plural entry chooses by `args.n`. */
export function t(key: Key, args: Args = {}): string {
  const entry: Entry = en[key];
  let text: string;
  if (typeof entry === "string") text = entry;
  else {
    const form = plurals.select(Number(args.n ?? 0)) as keyof Forms;
    text = entry[form] ?? entry.other;
  }
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(args[name] ?? ""));
}

export function outcomeText(outcome: EndCause): string {
  switch (outcome.kind) {
    case "failed":
      return t("end.failed", { why: outcome.detail });
    case "answered_elsewhere":
      return outcome.detail.by ? t("end.answered_by", { who: outcome.detail.by }) : t("end.answered_elsewhere");
    default:
      return t(`end.${outcome.kind}`);
  }
}

export function historyOutcomeText(outcome: Outcome): string {
  return t(`outcome.${outcome}`);
}

export type NoticeWords = { tag: string; urgent: boolean; summary: string; body: string };

/** A typed notice in words (the shell words the desktop notification the same way: src-tauri/words.rs). */
export function noticeWords(notice: Notice, now: number): NoticeWords {
  switch (notice.kind) {
    case "auto_paused":
      return {
        tag: "auto-pause",
        urgent: true,
        summary: t("notice.auto_paused.summary"),
        body: t("notice.auto_paused.body", { n: notice.missed, reason: notice.reason }),
      };
    case "missed_call": {
      const who = [notice.name, notice.number].find((w) => w && w.trim()) || t("notice.missed_call.withheld");
      return {
        tag: "missed-calls",
        urgent: false,
        summary: t("notice.missed_call.summary", { who }),
        body: t("notice.missed_call.body", { n: notice.waiting }),
      };
    }
    case "wrap_up_resumed":
      return {
        tag: "wrap-up",
        urgent: false,
        summary: t("notice.wrap_up_resumed.summary"),
        body: t("notice.wrap_up_resumed.body", { secs: Math.max(0, Math.round((notice.ends_at - now) / 1000)) }),
      };
    case "incoming_call": {
      const name = notice.name?.trim() ? notice.name : null;
      const number = notice.number.trim() ? notice.number : null;
      return {
        tag: "incoming-call",
        urgent: false,
        summary: t("notice.incoming_call.summary", { who: name || number || t("notice.missed_call.withheld") }),
        body: name && number ? number : "",
      };
    }
    case "wrap_up_pause_cleared":
      return {
        tag: "wrap-up",
        urgent: false,
        summary: t("notice.wrap_up_pause_cleared.summary"),
        body: t("notice.wrap_up_pause_cleared.body"),
      };
  }
}
