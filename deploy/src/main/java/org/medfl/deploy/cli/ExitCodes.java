package org.medfl.deploy.cli;

/** The exit codes of every fl command. */
public final class ExitCodes {
  /** The work succeeded. */
  public static final int OK = 0;
  /** The work failed (unreachable coordinator, tampered log, failed job). */
  public static final int FAILED = 1;
  /** Bad usage or bad input: a flag, file, kit or spec is wrong; the message names it. */
  public static final int USAGE = 2;

  private ExitCodes() {}
}
