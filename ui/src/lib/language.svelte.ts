// The language both windows speak: the shell's (the `[ui] language` setting, else the operating
// system's, else English), asked for before the page mounts and followed through the
// `language` event, so switching it in the desk re-words both windows at once.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { LanguageChoice } from "../bindings/LanguageChoice";
import type { Speaking } from "../bindings/Speaking";

/** What is spoken now; reading it in a template or `$derived` re-words them when it changes. */
export const speech = $state<Speaking>({ language: "en", choice: "auto" });

function heard(speaking: Speaking) {
  speech.language = speaking.language;
  speech.choice = speaking.choice;
  document.documentElement.lang = speaking.language;
}

/** Asks the shell once and follows its changes; English when the shell cannot say. */
export async function followLanguage(): Promise<UnlistenFn | null> {
  try {
    const unlisten = await listen<Speaking>("language", (e) => heard(e.payload));
    heard(await invoke<Speaking>("language"));
    return unlisten;
  } catch {
    return null;
  }
}

/** Switches the language of the tray, notifications and both windows for this run. */
export function chooseLanguage(choice: LanguageChoice): Promise<Speaking> {
  return invoke<Speaking>("set_language", { choice });
}
