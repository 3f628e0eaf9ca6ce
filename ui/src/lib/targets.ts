import type { CreateTarget } from "../bindings/CreateTarget";
import { api } from "./api";

let asked: Promise<CreateTarget[]> | null = null;

/** Where "Create customer" can put a caller; asked once a window (the config does not change
 * while Ringside runs). */
export function createTargets(): Promise<CreateTarget[]> {
  asked ??= api.createTargets().catch((e) => {
    asked = null;
    throw e;
  });
  return asked;
}
