/** The contract's error codes and their statuses (`Nats-Service-Error-Code`, HTTP). */
export { errorStatus, type ErrorCode, type ErrorDetail } from "../domain/errors.js";
