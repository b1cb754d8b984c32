import { describe, expect, it } from "vitest";
import { normalisePhoneNumber } from "../../src/domain/index.js";

describe("phone number normalisation", () => {
  it("gives one E.164 form for the same number however it is written", () => {
    for (const input of [
      "07722123456",
      "+447722123456",
      "0044 7722 123456",
      "(07722) 123-456",
      "+44 (0)7722 123456",
      "07722 123 456",
    ]) {
      expect(normalisePhoneNumber(input, "GB")).toEqual({ ok: true, e164: "+447722123456" });
    }
  });

  it("reads national numbers in the default region, international ones in their own", () => {
    expect(normalisePhoneNumber("(202) 456-1111", "US")).toEqual({
      ok: true,
      e164: "+12024561111",
    });
    expect(normalisePhoneNumber("01 42 68 53 00", "FR")).toEqual({
      ok: true,
      e164: "+33142685300",
    });
    expect(normalisePhoneNumber("+33 1 42 68 53 00", "GB")).toEqual({
      ok: true,
      e164: "+33142685300",
    });
  });

  it("refuses what cannot be dialled, with a reason", () => {
    expect(normalisePhoneNumber("not a number", "GB")).toEqual({
      ok: false,
      reason: "not a phone number",
    });
    expect(normalisePhoneNumber("1", "GB")).toEqual({ ok: false, reason: "too short" });
    expect(normalisePhoneNumber("+999 1234", "GB")).toEqual({
      ok: false,
      reason: "no country code and no default region fits",
    });
    expect(normalisePhoneNumber("077221234567890", "GB")).toEqual({
      ok: false,
      reason: "not a valid number for its region",
    });
  });

  it("checks allocated ranges for numbers to dial, only the shape for 'possible' ones (e.g. Ofcom's drama numbers)", () => {
    expect(normalisePhoneNumber("01632960001", "GB")).toEqual({
      ok: false,
      reason: "not a valid number for its region",
    });
    expect(normalisePhoneNumber("01632960001", "GB", "possible")).toEqual({
      ok: true,
      e164: "+441632960001",
    });
  });
});
