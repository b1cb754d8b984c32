import type { CampaignSettings } from "./definition.js";
import type { NumberEntry } from "./events.js";

/** The campaign's settings in the seed's GET/201 field order, with its id first. */
export const seedSettings = (id: string, settings: CampaignSettings) => ({
  id,
  name: settings.name,
  startDate: settings.startDate,
  startTime: settings.startTime,
  finishTime: settings.finishTime,
  runoverDays: settings.runoverDays,
  callflow_Id: settings.callflow_Id,
  cli_Id: settings.cli_Id,
  attempts: settings.attempts,
  answerMachineDetected: settings.answerMachineDetected,
  smsOnBusy: settings.smsOnBusy,
  timeZone: settings.timeZone,
  ...(settings.excludedDates === undefined ? {} : { excludedDates: settings.excludedDates }),
  ...(settings.retryRules === undefined ? {} : { retryRules: settings.retryRules }),
});

/** A phone number as the seed shows it (number as submitted), plus its E.164 form. */
export const seedPhoneNumber = (entry: NumberEntry) => ({
  number: entry.number,
  ...(entry.name === undefined ? {} : { name: entry.name }),
  ...(entry.parameters === undefined ? {} : { parameters: entry.parameters }),
  e164: entry.e164,
  ...(entry.timeZone === undefined ? {} : { timeZone: entry.timeZone }),
});
