import type { FastifyReply, FastifyRequest } from "fastify";
import { problem, sendProblem } from "./problem.js";

/** The 401 every route answers without a known API key (return it from an onRequest hook to stop there). */
export const sendUnauthorized = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
  const detail =
    request.headers.authorization || request.headers["x-api-key"]
      ? "the API key is not known"
      : "an API key is required";
  reply.header("WWW-Authenticate", 'Bearer realm="campaigns"');
  return sendProblem(
    reply,
    problem(401, "unauthorized", detail, [
      { field: "Authorization", reason: "send Authorization: Bearer <key> or X-Api-Key: <key>" },
    ]),
  );
};
