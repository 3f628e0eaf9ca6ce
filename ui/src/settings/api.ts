// The settings window's commands, typed with the Rust types.
import { invoke } from "@tauri-apps/api/core";
import type { CheckStep } from "../bindings/CheckStep";
import type { SettingChange } from "../bindings/SettingChange";
import type { SettingsView } from "../bindings/SettingsView";
import { isReport } from "../lib/api";
export { errorText } from "../lib/words";

export const settingsApi = {
  settings: () => invoke<SettingsView>("settings"),
  save: (changes: SettingChange[], secrets: { which: string; value: string }[]) =>
    invoke<SettingsView>("save_settings", { changes, secrets }),
  removeSecret: (which: string) => invoke<SettingsView>("remove_secret", { which }),
  testSource: () => invoke<CheckStep[]>("test_source"),
  testCrm: (name: string, number: string) => invoke<CheckStep[]>("test_crm", { name, number }),
  testDial: (name: string, number: string) => invoke<CheckStep[]>("test_dial", { name, number }),
  copyDiagnostics: () => invoke<string>("copy_diagnostics"),
};

/** The argument `name` of an error report, when it has one (`field` of an invalid setting). */
export function isReportWith(e: unknown, name: string): string | null {
  return isReport(e) ? (e.args[name] ?? null) : null;
}
