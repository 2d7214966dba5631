package org.medfl.deploy.cli;

import picocli.CommandLine.Option;

/** Flags every command accepts. */
public final class GlobalOptions {
  /** Read by Main before parsing (logging) and by the error handler (stack traces). */
  @Option(names = {"-v", "--verbose"}, description = "Log details and print stack traces on errors.")
  boolean verbose;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;
}
