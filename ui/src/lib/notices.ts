import type { Notice } from "../bindings/Notice";
import type { Shown } from "./Notices.svelte";
import { noticeWords } from "./words";

/** A notice that is not urgent goes away by itself after this long. */
export const NOTICE_MS = 30_000;
export const MAX_NOTICES = 4;
let next = 0;

/** The list with `notice` added in its tag's place (or on top), at most MAX_NOTICES. */
export function withNotice(list: Shown[], notice: Notice): { list: Shown[]; shown: Shown } {
  const at = Date.now();
  const { tag, urgent } = noticeWords(notice, at);
  const shown = { id: ++next, tag, urgent, notice, at };
  const same = list.findIndex((o) => o.tag === shown.tag);
  const updated = same >= 0 ? list.map((o, i) => (i === same ? shown : o)) : [shown, ...list];
  return { list: updated.slice(0, MAX_NOTICES), shown };
}
