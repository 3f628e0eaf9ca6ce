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

/** `n` animation frames: the first runs before the next paint, the second after it. */
function frames(n: number): Promise<void> {
  return new Promise((resolve) => {
    const next = (left: number) => (left === 0 ? resolve() : requestAnimationFrame(() => next(left - 1)));
    next(n);
  });
}

/** Reports `what` once the DOM as it is now has been painted (after 2 frames); with `after`
 * 0, at once (a hidden window paints nothing: its animation frames wait until it is shown). */
export async function mark(what: string, callId: string | null = null, after = 2): Promise<void> {
  if (!on) return;
  await frames(after);
  // The page's own clock too: the shell's time of receipt includes the IPC back.
  const pageUs = Math.round((performance.timeOrigin + performance.now()) * 1000);
  await invoke<void>("paint_probe", { what, callId, pageUs }).catch(() => {});
}

/** The card window: reports "shown" each time the shell showed it, after the next paint. */
export async function onShown(): Promise<() => void> {
  return listen("paint-probe-shown", () => void mark("shown"));
}
