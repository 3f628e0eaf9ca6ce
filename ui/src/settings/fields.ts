// What the settings window shows, section by section: each field names its setting (the
// dotted key the config file has), its kind, and the words it is labelled with. The values
// come from the shell's SettingsView (defaults, the system file, the user's file); a change is
// sent as a SettingChange with the same key.
import { languageChoiceIds, type MessageId } from "../lib/words";

export type FieldKind =
  | { kind: "text"; placeholder?: string }
  | { kind: "number"; min?: number; max?: number }
  | { kind: "bool" }
  /** `words`: the option's words by its value (a value without words is shown as written: a
   * product's name such as `bitrix24`). */
  | { kind: "select"; options: string[]; words?: Record<string, MessageId> }
  /** A list of strings, one per line. */
  | { kind: "lines" }
  /** A list of `{ code, label }`, one per line as `code: label` (the label may be left out). */
  | { kind: "reasons" };

export type Field = { key: string; label: MessageId } & FieldKind;

export type Section = "pbx" | "calls" | "crm" | "dial" | "general";
export const sections: Section[] = ["pbx", "calls", "crm", "dial", "general"];
export const sectionIds: Record<Section, MessageId> = {
  pbx: "prefs-section-pbx",
  calls: "prefs-section-calls",
  crm: "prefs-section-crm",
  dial: "prefs-section-dial",
  general: "prefs-section-general",
};

export const sourceKind: Field = {
  key: "source.kind",
  label: "prefs-source-kind",
  kind: "select",
  options: ["demo", "ami", "nats"],
  words: { demo: "prefs-opt-source-demo", ami: "prefs-opt-source-ami", nats: "prefs-opt-source-nats" },
};

/** `[source] kind = "nats"`: a Ringside relay. */
export const natsFields: Field[] = [
  { key: "source.servers", label: "prefs-nats-servers", kind: "lines" },
  { key: "source.tenant", label: "prefs-nats-tenant", kind: "text" },
  { key: "source.user", label: "prefs-nats-user", kind: "text" },
];

export const agentFields: Field[] = [
  { key: "agent.extension", label: "prefs-agent-extension", kind: "text" },
  { key: "agent.name", label: "prefs-agent-name", kind: "text" },
  { key: "agent.interfaces", label: "prefs-agent-interfaces", kind: "lines" },
];

export const amiFields: Field[] = [
  { key: "source.host", label: "prefs-ami-host", kind: "text", placeholder: "pbx.example.com" },
  { key: "source.port", label: "prefs-ami-port", kind: "number", min: 1, max: 65535 },
  { key: "source.username", label: "prefs-ami-username", kind: "text" },
  { key: "source.originate_context", label: "prefs-ami-originate-context", kind: "text" },
  { key: "source.connect_timeout_secs", label: "prefs-ami-connect-timeout", kind: "number", min: 1 },
  { key: "source.ping_interval_secs", label: "prefs-ami-ping-interval", kind: "number", min: 1 },
];

export const callFields: Field[] = [
  { key: "session.wrap_up", label: "prefs-wrap-up", kind: "bool" },
  { key: "session.wrap_up_secs", label: "prefs-wrap-up-secs", kind: "number", min: 0 },
  { key: "session.auto_pause_after_missed", label: "prefs-auto-pause", kind: "number", min: 0, max: 100 },
  { key: "session.internal_max_len", label: "prefs-internal-max-len", kind: "number", min: 0, max: 10 },
  {
    key: "ui.card_opens_on",
    label: "prefs-card-opens-on",
    kind: "select",
    options: ["ringing", "answer", "never"],
    words: { ringing: "prefs-opt-opens-ringing", answer: "prefs-opt-opens-answer", never: "prefs-opt-opens-never" },
  },
  {
    key: "ui.card_corner",
    label: "prefs-card-corner",
    kind: "select",
    options: ["auto", "top_right", "bottom_right", "top_left", "bottom_left"],
    words: { auto: "prefs-opt-corner-auto", top_right: "prefs-opt-corner-top-right", bottom_right: "prefs-opt-corner-bottom-right", top_left: "prefs-opt-corner-top-left", bottom_left: "prefs-opt-corner-bottom-left" },
  },
  { key: "ui.card_stack_limit", label: "prefs-card-stack-limit", kind: "number", min: 1, max: 10 },
  { key: "ui.card_autoclose_secs", label: "prefs-card-autoclose", kind: "number", min: 1, max: 60 },
  { key: "ui.internal_call_delay_ms", label: "prefs-internal-delay", kind: "number", min: 0, max: 60000 },
  {
    key: "ui.notify_incoming",
    label: "prefs-notify-incoming",
    kind: "select",
    options: ["when_card_hidden", "always", "never"],
    words: { when_card_hidden: "prefs-opt-notify-when-card-hidden", always: "prefs-opt-notify-always", never: "prefs-opt-notify-never" },
  },
];

export const generalFields: Field[] = [
  { key: "ui.language", label: "prefs-language", kind: "select", options: ["auto", "en", "uk", "ru", "pl"], words: languageChoiceIds },
  { key: "ui.start_at_login", label: "prefs-start-at-login", kind: "bool" },
  { key: "directory.region", label: "prefs-region", kind: "text" },
  { key: "supervisor.enabled", label: "prefs-supervisor", kind: "bool" },
  { key: "supervisor.queues", label: "prefs-supervisor-queues", kind: "lines" },
  { key: "dial.confirm_links", label: "prefs-confirm-links", kind: "bool" },
  { key: "agent.pause_reasons", label: "prefs-pause-reasons", kind: "reasons" },
  { key: "lookup.timeout_ms", label: "prefs-lookup-timeout", kind: "number", min: 1, max: 30000 },
  { key: "lookup.order", label: "prefs-lookup-order", kind: "lines" },
  { key: "directory.path", label: "prefs-directory-path", kind: "text" },
  { key: "history.path", label: "prefs-history-path", kind: "text" },
  { key: "updates.check", label: "prefs-updates-check", kind: "bool" },
  { key: "updates.url", label: "prefs-updates-url", kind: "text" },
];

/** `[{code, label}]` as the lines the agent edits: `code: label`, or `code` alone. */
export function reasonLines(value: unknown): string {
  if (!Array.isArray(value)) return "";
  return value
    .map((r: { code?: unknown; label?: unknown }) => (r.label ? `${String(r.code)}: ${String(r.label)}` : String(r.code)))
    .join("\n");
}

/** The lines back as `[{code, label}]`; blank lines are dropped. */
export function parseReasons(text: string): { code: string; label?: string }[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .map((line) => {
      const at = line.indexOf(":");
      if (at < 0) return { code: line };
      const label = line.slice(at + 1).trim();
      return label ? { code: line.slice(0, at).trim(), label } : { code: line.slice(0, at).trim() };
    });
}

/** A CRM's fields by its kind (`[[lookup.crm]]`), relative to the item. */
export const crmFields: Record<string, Field[]> = {
  rest: [
    { key: "url", label: "prefs-crm-url", kind: "text", placeholder: "https://crm.example.com/api/customers?phone={e164}" },
    { key: "auth_header", label: "prefs-crm-auth-header", kind: "text", placeholder: "Authorization" },
    { key: "auth_prefix", label: "prefs-crm-auth-prefix", kind: "text", placeholder: "Bearer " },
    { key: "card_url", label: "prefs-crm-card-url", kind: "text" },
    { key: "log_url", label: "prefs-crm-log-url", kind: "text" },
    { key: "create_url", label: "prefs-crm-create-url", kind: "text" },
    { key: "log_update_url", label: "prefs-crm-log-update-url", kind: "text" },
    { key: "new_order_url", label: "prefs-crm-new-order-url", kind: "text" },
    {
      key: "auto_create",
      label: "prefs-crm-auto-create",
      kind: "select",
      options: ["off", "customer"],
      words: { off: "prefs-opt-create-off", customer: "prefs-opt-create-customer" },
    },
    { key: "allow_plain_http", label: "prefs-crm-plain-http", kind: "bool" },
    { key: "fields.list", label: "prefs-crm-field-list", kind: "text", placeholder: "/data" },
    { key: "fields.id", label: "prefs-crm-field-id", kind: "text", placeholder: "/id" },
    { key: "fields.name", label: "prefs-crm-field-name", kind: "text", placeholder: "/name" },
    { key: "fields.company", label: "prefs-crm-field-company", kind: "text" },
    { key: "fields.url", label: "prefs-crm-field-url", kind: "text" },
    { key: "fields.orders", label: "prefs-crm-field-orders", kind: "text" },
    { key: "fields.phone", label: "prefs-crm-field-phone", kind: "text", placeholder: "/phone" },
  ],
  bitrix24: [
    { key: "create_as", label: "prefs-crm-create-as", kind: "select", options: ["contact", "lead"], words: { contact: "prefs-opt-create-contact", lead: "prefs-opt-create-lead" } },
    {
      key: "auto_create",
      label: "prefs-crm-auto-create",
      kind: "select",
      options: ["off", "contact", "lead"],
      words: { off: "prefs-opt-create-off", contact: "prefs-opt-create-contact", lead: "prefs-opt-create-lead" },
    },
    { key: "new_order_url", label: "prefs-crm-new-order-url", kind: "text" },
  ],
};
export const crmKinds = ["rest", "bitrix24"];

/** A dialing connection's fields by its kind (`[[dial.connection]]`), relative to the item. */
const rule: Field[] = [
  {
    key: "format",
    label: "prefs-dial-format",
    kind: "select",
    options: ["e164", "national", "international", "as_typed"],
    words: { e164: "prefs-opt-format-e164", national: "prefs-opt-format-national", international: "prefs-opt-format-international", as_typed: "prefs-opt-format-as-typed" },
  },
  { key: "prefix", label: "prefs-dial-prefix", kind: "text" },
];
export const dialFields: Record<string, Field[]> = {
  pbx: rule,
  microsip: [...rule, { key: "path", label: "prefs-dial-path", kind: "text" }],
  zoiper: [...rule, { key: "path", label: "prefs-dial-path", kind: "text" }],
  system: [...rule, { key: "scheme", label: "prefs-dial-scheme", kind: "select", options: ["tel", "sip", "callto"] }],
  command: [
    ...rule,
    { key: "program", label: "prefs-dial-program", kind: "text" },
    { key: "args", label: "prefs-dial-args", kind: "lines" },
  ],
  binotel: [
    ...rule,
    { key: "key", label: "prefs-dial-key", kind: "text" },
    { key: "extension", label: "prefs-dial-extension", kind: "text" },
  ],
  zadarma: [
    ...rule,
    { key: "key", label: "prefs-dial-key", kind: "text" },
    { key: "extension", label: "prefs-dial-extension", kind: "text" },
  ],
  ringostat: [
    ...rule,
    { key: "project_id", label: "prefs-dial-project", kind: "text" },
    { key: "extension", label: "prefs-dial-extension", kind: "text" },
  ],
};
export const dialKinds = Object.keys(dialFields);

/** `[dial] default`: one of the connections, or none (the first is used). */
export function dialDefault(names: string[]): Field {
  return { key: "dial.default", label: "prefs-dial-default", kind: "select", options: ["", ...names], words: { "": "prefs-dial-default-first" } };
}
/** Kinds whose secret is kept in the keychain as `dial:NAME`. */
export const dialKindsWithSecret = ["binotel", "zadarma", "ringostat"];

/** The value at a dotted key (`lookup.crm[1].url`) of a settings tree. */
export function valueAt(tree: unknown, key: string): unknown {
  let at: unknown = tree;
  for (const part of key.split(".")) {
    const m = /^([^[]+)(?:\[(\d+)\])?$/.exec(part);
    const name = m?.[1];
    if (!m || name === undefined || typeof at !== "object" || at === null) return undefined;
    at = (at as Record<string, unknown>)[name];
    if (m[2] !== undefined) at = Array.isArray(at) ? at[Number(m[2])] : undefined;
  }
  return at;
}
