package org.medfl.deploy.cli;

/** A failure to report as one sentence and an exit code, without a stack trace. */
public final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  /** A failure with its exit code (see {@link ExitCodes}) and a sentence that names what is at fault. */
  public CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  /** The exit code to return. */
  public int exitCode() {
    return exitCode;
  }
}
