// Notes are the runtime's: a window keeps only what the agent is typing right now. Every save
// comes back to every window as a `note` output, so the desk and the card never hold two drafts.
import type { NoteChange } from "../bindings/NoteChange";
import { api, errorCode } from "./api";
import { errorText, t } from "./words";

/** "saving" while a save waits, "saved", "kept" (in memory: the disk refused), "unsaved";
 * `error`: why, for the last two. Worded when shown, so a language switch re-words it. */
export type NoteState = { state: "saving" | "saved" | "kept" | "unsaved"; error?: unknown };

/** A note's state in words. */
export function noteStateText(s: NoteState | undefined): string {
  if (!s) return "";
  if (s.state === "saving") return "…";
  if (s.state === "saved") return t("card-note-saved");
  return errorText(s.error);
}

/** Half a second after the last key. */
const SAVE_AFTER_MS = 500;

export class Notes {
  drafts = $state<Record<string, string>>({});
  status = $state<Record<string, NoteState>>({});
  // Bookkeeping, not shown: plain (non-reactive) collections on purpose.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #timers = new Map<string, ReturnType<typeof setTimeout>>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #loading = new Set<string>();

  /** The runtime's note for a call, once per call. */
  load(callId: string) {
    if (callId in this.drafts || this.#loading.has(callId)) return;
    this.#loading.add(callId);
    api
      .note(callId)
      .then((text) => {
        if (!(callId in this.drafts)) this.drafts[callId] = text ?? "";
      })
      .catch(() => {})
      .finally(() => this.#loading.delete(callId));
  }

  type(callId: string, text: string) {
    this.drafts[callId] = text;
    this.status[callId] = { state: "saving" };
    clearTimeout(this.#timers.get(callId));
    this.#timers.set(
      callId,
      setTimeout(() => {
        this.#timers.delete(callId);
        api
          .saveNote(callId, text)
          .then(() => (this.status[callId] = { state: "saved" }))
          .catch((e) => {
            // Kept in memory and saved later (a full disk): a warning, not lost work.
            const kept = errorCode(e) === "history.not_saved_kept";
            this.status[callId] = { state: kept ? "kept" : "unsaved", error: e };
          });
      }, SAVE_AFTER_MS),
    );
  }

  /** Another window (or this one) saved: shown unless this window has newer keys waiting. */
  heard(change: NoteChange) {
    if (this.#timers.has(change.call_id)) return;
    this.drafts[change.call_id] = change.text;
  }
}
