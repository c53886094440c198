import { describe, expect, it } from "vitest";
import { toApiError } from "./api";

describe("toApiError", () => {
  it("keeps the code and message of a Rust error", () => {
    expect(toApiError({ code: "unknown_item", message: "no such item" })).toEqual({ code: "unknown_item", message: "no such item" });
  });

  it("wraps anything else as internal", () => {
    expect(toApiError(new Error("boom"))).toEqual({ code: "internal", message: "boom" });
    expect(toApiError("text")).toEqual({ code: "internal", message: "text" });
  });
});
