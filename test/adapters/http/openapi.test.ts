/** `/openapi.json`: an OpenAPI 3.1 document generated from the zod schemas, covering every route. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { openApiDocument } from "../../../src/adapters/http/openapi.js";
import { CreateCampaignBody } from "../../../src/domain/index.js";
import { type Gateway, http, startGateway } from "../../support/gateway.js";

let gw: Gateway;
let doc: any;

beforeAll(async () => {
  gw = await startGateway();
  const result = await http(gw.base, "GET", "/openapi.json");
  expect(result.status).toBe(200);
  expect(result.headers.get("content-type")).toMatch(/^application\/json/);
  doc = result.json;
});
afterAll(async () => {
  await gw?.stop();
});

describe("GET /openapi.json", () => {
  it("is an OpenAPI 3.1 document with security schemes for both key headers", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(doc.components.securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: "http", scheme: "bearer" }),
      apiKey: expect.objectContaining({ type: "apiKey", in: "header", name: "X-Api-Key" }),
    });
  });

  it("documents every route of the contract's REST table", () => {
    const routes = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item as object).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes).toEqual(
      expect.arrayContaining([
        "POST /api/campaigns/voice",
        // The seed's `:ignoreInvalidPhoneNumbers` segment: one template name per path segment, or
        // OpenAPI has two identical paths.
        "POST /api/campaigns/voice/{id}",
        "POST /api/campaign/voice",
        "POST /api/campaign/voice/{id}",
        "GET /api/api/campaign/voice/{id}",
        "POST /api/call-flows",
        "POST /api/clis",
        "GET /api/campaign/voice",
        "GET /api/campaigns/voice",
        "GET /api/campaign/voice/{id}",
        "GET /api/campaigns/voice/{id}",
        "PUT /api/campaign/voice/{id}",
        "DELETE /api/campaign/voice/{id}",
        "POST /api/campaign/voice/{id}/phone-numbers",
        "POST /api/campaign/voice/{id}/attempts",
        "POST /api/campaign/voice/{id}/stages",
        "GET /api/campaign/voice/{id}/statistics",
        "GET /api/campaign/voice/{id}/history",
      ]),
    );
    const operationIds = Object.values(doc.paths)
      .flatMap((item: any) => Object.values(item).map((op: any) => op.operationId))
      .filter(Boolean);
    expect(new Set(operationIds).size).toBe(operationIds.length);
    expect(operationIds).toHaveLength(routes.length); // every operation has one
  });

  it("carries the create body's schema, generated from the domain's zod schema", () => {
    const create = doc.paths["/api/campaigns/voice"].post;
    expect(create.responses["201"].content["application/json"].schema.$ref).toBe(
      "#/components/schemas/CreateCampaignResponse",
    );
    expect(create.responses["400"].content["application/problem+json"].schema.$ref).toBe(
      "#/components/schemas/Problem",
    );
    const ref: string = create.requestBody.content["application/json"].schema.$ref;
    const schema = doc.components.schemas[ref.split("/").at(-1)!];
    expect(schema.type).toBe("object");
    expect(schema.required).toEqual(
      expect.arrayContaining([
        "name",
        "startDate",
        "startTime",
        "finishTime",
        "callflow_Id",
        "cli_Id",
        "phoneNumbers",
      ]),
    );
    expect(schema.properties.phoneNumbers).toMatchObject({
      type: "array",
      minItems: 1,
      maxItems: 10000,
    });
    expect(
      schema.properties.phoneNumbers.items.properties.parameters.items.properties.parameter,
    ).toMatchObject({ minimum: 1, maximum: 9 });
    expect(schema.properties.answerMachineDetected.anyOf.map((o: any) => o.const)).toEqual([
      0, 1, 2,
    ]);
    expect(schema.additionalProperties).toBe(false);
    // Not a hand-written copy: exactly what zod generates from the command's schema.
    const { $schema: _, ...generated } = z.toJSONSchema(CreateCampaignBody, {
      io: "input",
      unrepresentable: "any",
    }) as Record<string, unknown>;
    expect(schema).toEqual(generated);
  });

  it("documents Log-Position and Idempotency-Key on commands and the problem schema", () => {
    const put = doc.paths["/api/campaign/voice/{id}"].put;
    expect(put.responses["204"].headers["Log-Position"]).toBeDefined();
    expect(put.parameters.map((p: any) => p.name)).toEqual(
      expect.arrayContaining(["id", "Idempotency-Key"]),
    );
    expect(doc.components.schemas.Problem.required).toEqual(
      expect.arrayContaining(["type", "title", "status", "detail", "code", "details"]),
    );
    const history = doc.paths["/api/campaign/voice/{id}/history"].get;
    expect(history.parameters.map((p: any) => p.name)).toEqual(
      expect.arrayContaining(["fromRevision", "limit"]),
    );
  });

  it("is the same document the module builds (served as generated)", () => {
    expect(doc).toEqual(JSON.parse(JSON.stringify(openApiDocument(doc.info.version))));
  });
});
