// The paint probe for the popup benchmark (bench/popup): when the shell runs with
// RINGSIDE_PAINT_PROBE=1 (`About.paint_probe`), a window reports its milestones — mounted, a
// new call's card painted, painted after the shell showed it — and the shell logs them with
// the time. Without it nothing is sent.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { About } from "../bindings/About";

let on = false;

/** Turns the probe on or off from the shell's `About` (called once the window has it). */
export function probeFrom(about: About | null): void {
  on = about?.paint_probe === true;
}

export function probing(): boolean {
  return on;
}

/** Two animation frames: the first runs before the next paint, the second after it. */
function painted(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));
}

/** Reports `what` once the DOM as it is now has been painted; with `paint` false, at once (a
 * hidden window paints nothing: its animation frames wait until it is shown). */
export async function mark(what: string, callId: string | null = null, paint = true): Promise<void> {
  if (!on) return;
  if (paint) await painted();
  await invoke<void>("paint_probe", { what, callId }).catch(() => {});
}

/** The card window: reports "shown" each time the shell showed it, after the next paint. */
export async function onShown(): Promise<() => void> {
  return listen("paint-probe-shown", () => void mark("shown"));
}
