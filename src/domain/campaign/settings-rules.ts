import { isValidTimeZone } from "../calling-window.js";
import { type DomainError, type ErrorDetail, domainError } from "../errors.js";
import { outcomeRule } from "../outcomes.js";
import type { CreateCampaignBody } from "./commands.js";
import type { CampaignSettings } from "./definition.js";
import type { CampaignContext } from "./context.js";

/**
 * The campaign's rules (DESIGN.md "Campaign definition") that a schema cannot
 * express. Every violation is reported at once, each naming its field.
 */
export const checkSettings = (
  body: CreateCampaignBody,
  context: CampaignContext,
): CampaignSettings | DomainError => {
  const details: ErrorDetail[] = [];
  const timeZone = body.timeZone ?? context.defaultTimeZone;
  if (!isValidTimeZone(timeZone))
    details.push({ field: "timeZone", reason: `${timeZone} is not an IANA time zone` });
  if (body.startTime >= body.finishTime)
    details.push({ field: "finishTime", reason: "finishTime must be after startTime" });

  const seen = new Set<string>();
  body.runoverDays.forEach((day, i) => {
    if (day.date <= body.startDate)
      details.push({
        field: `runoverDays.${i}.date`,
        reason: "a runover day must be after startDate",
      });
    if (seen.has(day.date))
      details.push({ field: `runoverDays.${i}.date`, reason: `${day.date} is listed twice` });
    seen.add(day.date);
    if (day.startTime >= day.finishTime)
      details.push({
        field: `runoverDays.${i}.finishTime`,
        reason: "finishTime must be after startTime",
      });
  });

  const attempts = [...body.attempts].sort((a, b) => a.attemptNumber - b.attemptNumber);
  attempts.forEach((attempt, i) => {
    if (attempt.attemptNumber !== i + 1)
      details.push({
        field: "attempts",
        reason: `attempt numbers must be exactly 1..${attempts.length}`,
      });
  });

  const ruled = new Set<number>();
  (body.retryRules ?? []).forEach((rule, i) => {
    if (ruled.has(rule.outcome))
      details.push({
        field: `retryRules.${i}.outcome`,
        reason: `outcome ${rule.outcome} has more than one rule`,
      });
    ruled.add(rule.outcome);
    if (outcomeRule(rule.outcome).after !== "retry")
      details.push({
        field: `retryRules.${i}.outcome`,
        reason: `outcome ${rule.outcome} completes the number; only retried outcomes take a rule`,
      });
  });

  if (!context.callFlowIds.has(body.callflow_Id))
    details.push({
      field: "callflow_Id",
      reason: `call flow ${body.callflow_Id} is not registered for this client`,
    });
  if (!context.cliIds.has(body.cli_Id))
    details.push({
      field: "cli_Id",
      reason: `CLI ${body.cli_Id} is not registered for this client`,
    });

  if (details.length > 0)
    return domainError("rule_violated", "the campaign breaks its rules", dedupe(details));
  return {
    name: body.name,
    startDate: body.startDate,
    startTime: body.startTime,
    finishTime: body.finishTime,
    runoverDays: body.runoverDays,
    callflow_Id: body.callflow_Id,
    cli_Id: body.cli_Id,
    attempts,
    answerMachineDetected: body.answerMachineDetected,
    smsOnBusy: body.smsOnBusy,
    timeZone,
    // Stored only when given, so campaigns without them keep their events' shape.
    ...(body.excludedDates?.length
      ? { excludedDates: [...new Set(body.excludedDates)].sort() }
      : {}),
    ...(body.retryRules?.length
      ? { retryRules: [...body.retryRules].sort((a, b) => a.outcome - b.outcome) }
      : {}),
  };
};

const dedupe = (details: ErrorDetail[]): ErrorDetail[] => {
  const keys = new Set<string>();
  return details.filter((d) => {
    const key = `${d.field}|${d.reason}`;
    return keys.has(key) ? false : (keys.add(key), true);
  });
};
