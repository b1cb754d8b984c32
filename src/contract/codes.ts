/**
 * The outcome, stage and result codes in words people read: a label for screens and a
 * description of what the code does to the number. The OpenAPI document's enums and the
 * dashboard's labels both come from here; the names themselves stay as the seed spells them.
 */
import { type NumberResult, numberResults, outcomes, stages } from "../domain/index.js";

export type CodeText = { code: number; name: string; label: string; description: string };

const resultLabels: Record<NumberResult, string> = {
  contacted: "Contacted",
  message_left: "Message left",
  failed: "Failed",
  excluded: "Excluded",
  exhausted: "Exhausted",
  opted_out: "Opted out",
};
const resultMeanings: Record<NumberResult, string> = {
  contacted: "a person answered",
  message_left: "a message was left on an answerphone",
  failed: "the number cannot be reached (unobtainable, fax, invalid)",
  excluded: "an exclusion list in force covers the number",
  exhausted: "no attempt or calling window left",
  opted_out: "the callee asked not to be called again",
};

/** What a number's final result means, by its code (`results` in statistics, `result` in exports). */
export const resultTexts = numberResults.map((result) => ({
  result,
  label: resultLabels[result],
  description: `${resultLabels[result]}: ${resultMeanings[result]}.`,
}));

const outcomeLabels: Record<string, string> = {
  Answered: "Answered",
  Unobtainable: "Unobtainable",
  Busy: "Busy",
  AnswerphoneMessageNotLeft: "Answerphone, no message left",
  AnswerphoneMessageLeft: "Answerphone, message left",
  NoAnswer: "No answer",
  Overflow: "Overflow",
  OutOfTime: "Out of time",
  Fax: "Fax",
  Unknown: "Unknown",
  ExcludedNumber: "Excluded number",
  NoConnection: "No connection",
  InvalidNumber: "Invalid number",
};

/** Outcome codes 1..13 of `record-attempt-outcome`, with what each does to the number. */
export const outcomeTexts: readonly CodeText[] = outcomes.map(({ code, name, after }) => {
  const label = outcomeLabels[name] ?? name;
  const effect =
    after === "retry"
      ? "the number's next attempt falls due after the attempt's interval (exhausted when none is left)"
      : `completes the number as ${resultLabels[after].toLowerCase()}`;
  return { code, name, label, description: `${code} ${label}: ${effect}.` };
});

const stageLabels: Record<string, string> = {
  None: "None",
  CorrectCallee: "Correct callee",
  WrongCallee: "Wrong callee",
  CallDeclined: "Call declined",
  CorrectColleeHungUp: "Correct callee hung up",
  WrongCalleeHungUp: "Wrong callee hung up",
  CallCenterHungUp: "Call centre hung up",
  CalleeTransferRequest: "Callee asked for a transfer",
  CalleeTransferAccepted: "Callee accepted the transfer",
  Excluded: "Excluded",
  Answered: "Answered",
  AnswerphoneMessageNotLeft: "Answerphone, no message left",
  AnswerphoneMessageLeft: "Answerphone, message left",
  OptIn: "Opted in",
  OptOut: "Opted out",
  WrongCalleeTransferRequested: "Wrong callee asked for a transfer",
  CallTransferredToCallCentre: "Transferred to the call centre",
  TransferredToPaymentLine: "Transferred to the payment line",
  CallerRequestedCallBack: "Call back requested",
  WrongCalleeTransferAccepted: "Wrong callee accepted the transfer",
  CallDropped: "Call dropped",
};
const stageEffects: Record<string, string> = {
  OptOut:
    "completes the number as opted out and puts it on the client's exclusion list (reason opt-out)",
  CallDropped: "answered by a person with no agent to take the call (an abandoned call)",
};

/** Call-flow stage codes 0..20 of `record-stage-reached`; only OptOut changes the number. */
export const stageTexts: readonly CodeText[] = stages.map((name, code) => {
  const label = stageLabels[name] ?? name;
  const effect = stageEffects[name] ?? "recorded and counted; the number is unchanged";
  return { code, name, label, description: `${code} ${label}: ${effect}.` };
});
