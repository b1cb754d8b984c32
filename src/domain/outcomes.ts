/**
 * The seed's attempt outcome codes 1..13 and what each one means for the number:
 * a final result, or another attempt.
 */
export const numberResults = [
  "contacted",
  "message_left",
  "failed",
  "excluded",
  "exhausted",
  "opted_out",
] as const;
export type NumberResult = (typeof numberResults)[number];

type OutcomeRule = {
  readonly code: number;
  readonly name: string;
  readonly after: "retry" | NumberResult;
};

export const outcomes = [
  { code: 1, name: "Answered", after: "contacted" },
  { code: 2, name: "Unobtainable", after: "failed" },
  { code: 3, name: "Busy", after: "retry" },
  { code: 4, name: "AnswerphoneMessageNotLeft", after: "retry" },
  { code: 5, name: "AnswerphoneMessageLeft", after: "message_left" },
  { code: 6, name: "NoAnswer", after: "retry" },
  { code: 7, name: "Overflow", after: "retry" },
  { code: 8, name: "OutOfTime", after: "retry" },
  { code: 9, name: "Fax", after: "failed" },
  { code: 10, name: "Unknown", after: "retry" },
  { code: 11, name: "ExcludedNumber", after: "excluded" },
  { code: 12, name: "NoConnection", after: "retry" },
  { code: 13, name: "InvalidNumber", after: "failed" },
] as const satisfies readonly OutcomeRule[];

export const OUTCOME_BUSY = 3;
export const OUTCOME_ANSWERED = 1;

const byCode = new Map<number, OutcomeRule>(outcomes.map((o) => [o.code, o]));
export const outcomeRule = (code: number): OutcomeRule => {
  const rule = byCode.get(code);
  if (!rule) throw new RangeError(`unknown outcome code ${code}`);
  return rule;
};
