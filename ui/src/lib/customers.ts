import type { CustomerMatch } from "../bindings/CustomerMatch";

export function customerName(c: Pick<CustomerMatch, "name" | "company">): string {
  return c.company ? `${c.name} (${c.company})` : c.name;
}
