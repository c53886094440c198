import type { ItemView } from "../bindings/ItemView";
import type { SignoffField } from "../bindings/SignoffField";
import type { SignoffRequest } from "../bindings/SignoffRequest";

/** Items a sign-off must waive: neither done nor not applicable. */
export function openItems(items: ItemView[]): ItemView[] {
  return items.filter((i) => i.state !== "done" && i.state !== "na");
}

export function questions(fields: SignoffField[]): string[] {
  return fields.filter((f) => f.kind.type === "yes_no").map((f) => f.label);
}

/** The request the form describes, or the first thing still missing. */
export function buildRequest(
  fields: SignoffField[],
  items: ItemView[],
  answers: Record<string, "yes" | "no" | undefined>,
  reasons: Record<string, string>,
): SignoffRequest | string {
  const qs = questions(fields);
  const unanswered = qs.find((q) => !answers[q]);
  if (unanswered) return `Answer "${unanswered}" first.`;
  const open = openItems(items);
  const unwaived = open.find((i) => !(reasons[i.id] ?? "").trim());
  if (unwaived) return `"${unwaived.text}" is not done: complete it or give a reason to waive it.`;
  return {
    answers: qs.map((label) => ({ label, yes: answers[label] === "yes" })),
    waivers: open.map((i) => ({ item: i.id, reason: reasons[i.id].trim() })),
  };
}
