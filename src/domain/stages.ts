/** The seed's call-flow stage codes 0..20 (names kept as the seed spells them). */
export const stages = [
  "None",
  "CorrectCallee",
  "WrongCallee",
  "CallDeclined",
  "CorrectColleeHungUp",
  "WrongCalleeHungUp",
  "CallCenterHungUp",
  "CalleeTransferRequest",
  "CalleeTransferAccepted",
  "Excluded",
  "Answered",
  "AnswerphoneMessageNotLeft",
  "AnswerphoneMessageLeft",
  "OptIn",
  "OptOut",
  "WrongCalleeTransferRequested",
  "CallTransferredToCallCentre",
  "TransferredToPaymentLine",
  "CallerRequestedCallBack",
  "WrongCalleeTransferAccepted",
  "CallDropped",
] as const;

export const STAGE_OPT_OUT = 14;
export const MAX_STAGE = stages.length - 1;
export const stageName = (code: number): string => stages[code] ?? `Stage${code}`;
