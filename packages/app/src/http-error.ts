/** Guards throw; the one error handler turns the status into a page (or JSON for the API). */
export class HttpError extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, message = `HTTP ${statusCode}`) {
    super(message);
    this.statusCode = statusCode;
  }
}
