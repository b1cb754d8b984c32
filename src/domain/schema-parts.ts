import { z } from "zod";

/** How every id is spelled: campaign ids, and tenants (client ids, the contract's TENANT). */
export const IDENTIFIER_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Small schemas shared by several messages. */
export const Identifier = z
  .union([z.string(), z.number().int().nonnegative()])
  .transform(String)
  .pipe(z.string().regex(IDENTIFIER_PATTERN, "1 to 64 letters, digits, '-' or '_'"));
export const PositiveInt = z.number().int().positive();
export const IsoDate = z.iso.date();
export const WallClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "HH:mm, 00:00 to 23:59");
export const Instant = z.iso
  .datetime({ offset: true })
  .transform((value) => new Date(value).toISOString());

/** 0 never, 1 on the first call, 2 on the last call (seed: AnswerPhoneMessage and SMSOnBusy). */
export const CallPolicy = z.union([z.literal(0), z.literal(1), z.literal(2)]);
export type CallPolicy = z.infer<typeof CallPolicy>;
