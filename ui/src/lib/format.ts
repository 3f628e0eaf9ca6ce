// Times and durations as the agent reads them, dates in their language (words.ts `locale`).
import { locale } from "./words";

/** 0:42, 12:05, 1:02:03. */
export function duration(secs: number): string {
  const whole = Math.max(0, Math.floor(secs));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

export function clock(ms: number): string {
  return new Date(ms).toLocaleTimeString(locale(), { hour: "2-digit", minute: "2-digit" });
}

/** Local midnight `daysAgo` days before today. */
export function startOfDay(daysAgo: number): number {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() - daysAgo).getTime();
}

/** "10:42" today, "Tue 10:42" this week, "12 Mar 10:42" before (with the year when not this one). */
export function when(ms: number): string {
  const time = clock(ms);
  if (ms >= startOfDay(0)) return time;
  const date = new Date(ms);
  if (ms >= startOfDay(6)) return `${date.toLocaleDateString(locale(), { weekday: "short" })} ${time}`;
  const parts: Intl.DateTimeFormatOptions = { day: "numeric", month: "short" };
  if (date.getFullYear() !== new Date().getFullYear()) parts.year = "numeric";
  return `${date.toLocaleDateString(locale(), parts)} ${time}`;
}

export function fullDate(ms: number): string {
  return new Date(ms).toLocaleString(locale());
}
