/**
 * Why a transfer stopped. `retry`: try again after a pause (a 5xx, a dropped or stalled
 * connection). `restartFile`: the file changed or the server ignores ranges. `fatal`: a
 * clear error for the user (a foreign redirect, a 404, no access). `diskFull`: pause the job.
 */
export class TransferError extends Error {
  constructor(
    readonly kind: "retry" | "restartFile" | "fatal" | "diskFull",
    message: string,
    /** Bytes written before it stopped (a retry continues after them). */
    readonly written = 0,
  ) {
    super(message);
  }
}
