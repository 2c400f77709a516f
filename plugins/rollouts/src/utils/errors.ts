import { ResponseError } from '@backstage/errors';

/** The backend's own message for a failed request (not "Request failed with 409"). */
export function errorMessage(error: unknown): string {
  if (ResponseError.is(error)) {
    return error.cause.message || error.message;
  }
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}
