import type { ApiError } from "../bindings/ApiError";
import { commands, events } from "../bindings/commands";

/** Whatever a command throws, as the `{ code, message, reason }` every Rust error crosses IPC as. */
export function toApiError(e: unknown): ApiError {
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    const { code, message, reason } = e as { code: unknown; message: unknown; reason?: ApiError["reason"] };
    return reason ? { code: String(code), message: String(message), reason } : { code: String(code), message: String(message) };
  }
  return { code: "internal", message: e instanceof Error ? e.message : String(e) };
}

type Commands = typeof commands;

/** The generated commands, each throwing an `ApiError` when it fails. */
export const api = Object.fromEntries(
  Object.entries(commands).map(([name, command]) => [
    name,
    async (...args: unknown[]) => {
      try {
        return await (command as (...a: unknown[]) => Promise<unknown>)(...args);
      } catch (e) {
        throw toApiError(e);
      }
    },
  ]),
) as Commands;

export { events };
