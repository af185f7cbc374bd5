import type { ApiError } from "@quantdeck/shared";

/** Exit codes scripts can rely on (also listed in `quantdeck --help`). */
export const ExitCode = {
  ok: 0,
  /** The agent refused, or the operation failed. */
  failed: 1,
  /** The command line is wrong. */
  usage: 2,
  /** No agent answers at the URL. */
  unreachable: 3,
  /** The agent needs a token and none, or a wrong one, was given. */
  unauthorized: 4,
  /** Stopped with Ctrl-C. */
  interrupted: 130,
} as const;

/** An error shown to the user as its title and a hint on what to do, with an exit code. */
export class CliError extends Error {
  constructor(
    readonly title: string,
    readonly hint: string | undefined,
    readonly exitCode: number = ExitCode.failed,
    readonly code: string = "failed",
  ) {
    super(title);
  }

  static fromApi(error: ApiError, httpStatus: number): CliError {
    if (httpStatus === 401)
      return new CliError(
        error.title,
        "Give the agent's token with QUANTDECK_TOKEN, --token or QUANTDECK_TOKEN_FILE (see `quantdeck service install`).",
        ExitCode.unauthorized,
        error.code,
      );
    return new CliError(error.title, error.hint, ExitCode.failed, error.code);
  }

  static usage(title: string, hint = "See `quantdeck help`."): CliError {
    return new CliError(title, hint, ExitCode.usage, "usage");
  }
}
