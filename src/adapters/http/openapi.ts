/**
 * The OpenAPI 3.1 document at `/openapi.json`, generated from the operation
 * table and the zod schemas (zod's own JSON Schema output, draft 2020-12, the
 * dialect OpenAPI 3.1 uses). Nothing here is a hand-written copy of a shape.
 */
import { z } from "zod";
import { operations, responseOf } from "./operations.js";
import { PROBLEM_CONTENT_TYPE } from "./problem.js";
import { IDENTIFIER_PATTERN } from "../../domain/index.js";

const ErrorDetailSchema = z.object({
  field: z.string().optional(),
  index: z.number().int().optional(),
  number: z.string().optional(),
  reason: z.string(),
});
const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.enum([
    "invalid_request",
    "not_found",
    "conflict",
    "rule_violated",
    "unavailable",
    "unauthorized",
    "payload_too_large",
    "internal",
  ]),
  details: z.array(ErrorDetailSchema),
});

type JsonSchema = Record<string, unknown>;

const jsonSchema = (schema: z.ZodType, io: "input" | "output"): JsonSchema => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: "any",
  }) as JsonSchema;
  return rest;
};

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, "{$1}");
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problemResponse = (description: string) => ({
  description,
  content: { [PROBLEM_CONTENT_TYPE]: { schema: ref("Problem") } },
});

export function openApiDocument(version: string): JsonSchema {
  const schemas: Record<string, JsonSchema> = { Problem: jsonSchema(ProblemSchema, "output") };
  const paths: Record<string, Record<string, unknown>> = {};

  for (const op of operations) {
    const base = capitalise(op.operationId);
    if (op.request) schemas[`${base}Request`] = jsonSchema(op.request, "input");
    const response = responseOf(op);
    if (response) schemas[`${base}Response`] = jsonSchema(response, "output");

    op.paths.forEach((path, i) => {
      const pathParameters = [...path.matchAll(/:([A-Za-z]+)/g)].map(([, name]) => ({
        name,
        in: "path",
        required: true,
        schema:
          name === "ignoreInvalidPhoneNumbers"
            ? { type: "boolean" }
            : { type: "string", pattern: IDENTIFIER_PATTERN.source },
      }));
      const headers =
        op.kind === "command"
          ? [
              {
                name: "Idempotency-Key",
                in: "header",
                required: false,
                description:
                  "the command id (also `Command-Id`): a repeat returns the first reply and writes nothing",
                schema: { type: "string" },
              },
            ]
          : [];
      const success =
        op.status === 204
          ? { description: "done" }
          : {
              description: op.status === 201 ? "created" : "ok",
              content: { "application/json": { schema: ref(`${base}Response`) } },
            };
      const responses: Record<string, unknown> = {
        [op.status]:
          op.kind === "command"
            ? {
                ...success,
                headers: {
                  "Log-Position": {
                    description: "global log position of the command's last event",
                    schema: { type: "string" },
                  },
                },
              }
            : success,
        "400": problemResponse("malformed JSON or a body that does not match its schema"),
        "401": problemResponse("no API key, or an unknown one"),
        "404": problemResponse("no such campaign for this client"),
        ...(op.kind === "command"
          ? {
              "409": problemResponse("state conflict"),
              "422": problemResponse("a rule is broken; `details` names each field or number"),
            }
          : {}),
        "503": problemResponse("unavailable; retry (commands with the same Idempotency-Key)"),
      };
      (paths[openApiPath(path)] ??= {})[op.method.toLowerCase()] = {
        // Aliases (singular/plural, the seed's printed forms) are operations of their own to
        // OpenAPI: each needs a unique id.
        operationId: i === 0 ? op.operationId : `${op.operationId}Alias${i}`,
        summary: i === 0 ? op.summary : `${op.summary} (alias of ${openApiPath(op.paths[0]!)})`,
        ...(op.note && path.includes(":id") ? { description: op.note } : {}),
        parameters: [
          ...pathParameters,
          ...(op.queryParameters ?? []).map((q) => ({ ...q, in: "query", required: false })),
          ...headers,
        ],
        ...(op.request
          ? {
              requestBody: {
                required: true,
                content: { "application/json": { schema: ref(`${base}Request`) } },
              },
            }
          : {}),
        responses,
      };
    });
  }

  return {
    openapi: "3.1.0",
    info: {
      title: "Campaign service REST gateway",
      version,
      description:
        "Outbound voice campaigns, shaped like the seed API. Errors are application/problem+json.",
      license: { name: "UNLICENSED (proprietary)" },
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    // Relative: the document is served by the gateway it describes, on whatever host and port
    // (HTTP_PORT) that is.
    servers: [{ url: "/", description: "the gateway serving this document" }],
    security: [{ bearer: [] }, { apiKey: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "Authorization: Bearer <key>" },
        apiKey: { type: "apiKey", in: "header", name: "X-Api-Key" },
      },
    },
  };
}
