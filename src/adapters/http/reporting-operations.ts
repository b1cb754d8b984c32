/** The reporting routes that map onto a query (the CSV exports and the dashboard have their own files). */

const sub = (suffix: string) =>
  ["/api/campaign/voice/:id", "/api/campaigns/voice/:id"].map((p) => `${p}/${suffix}`);

/** Shaped as operations.ts's Operation (not imported from there: operations.ts lists these). */
export const reportingOperations = [
  {
    operationId: "getCampaignTimeline",
    kind: "query" as const,
    name: "get-campaign-timeline" as const,
    readYourWrites: true,
    method: "GET" as const,
    paths: sub("timeline"),
    summary:
      "Attempts, outcomes, stages, contacts and SMS requests per hour or day on the campaign's local clock, by the events' own times",
    status: 200 as const,
    input: ({
      params,
      query,
    }: {
      params: Record<string, string>;
      query: Record<string, unknown>;
    }) => ({ ...query, id: params.id }),
    queryParameters: [
      {
        name: "bucket",
        description: "hour or day (local clock hours; a day of a DST change has 23 or 25)",
        schema: { type: "string", enum: ["hour", "day"] },
      },
      {
        name: "from",
        description: "first bucket start included (ISO-8601 instant)",
        schema: { type: "string", format: "date-time" },
      },
      {
        name: "to",
        description: "bucket starts before this instant (ISO-8601)",
        schema: { type: "string", format: "date-time" },
      },
    ],
  },
];
