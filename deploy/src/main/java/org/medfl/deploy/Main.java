package org.medfl.deploy;

import java.util.Arrays;
import java.util.List;
import org.medfl.common.model.NativeAcceleration;
import org.medfl.deploy.cli.FlCommand;

/** Entry point of the fl command; the only place that calls System.exit. */
public final class Main {
  private Main() {}

  /** Runs the fl command line. */
  public static void main(String[] args) {
    configureLogging(args);
    NativeAcceleration.enable();
    System.exit(FlCommand.commandLine().execute(args));
  }

  /**
   * slf4j-simple reads its settings once, at the first logger, so they are set before anything logs. Long-running
   * services log their progress at info; one-shot commands print their own output and keep libraries quiet.
   */
  private static void configureLogging(String[] args) {
    List<String> words = Arrays.asList(args);
    boolean verbose = words.contains("--verbose") || words.contains("-v");
    boolean service = words.size() >= 2 && (words.get(0).equals("coordinator") || words.get(0).equals("site"))
        && words.get(1).equals("start");
    setDefault("org.slf4j.simpleLogger.logFile", "System.err");
    setDefault("org.slf4j.simpleLogger.showDateTime", "true");
    setDefault("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
    setDefault("org.slf4j.simpleLogger.showShortLogName", "true");
    setDefault("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "debug" : "warn");
    setDefault("org.slf4j.simpleLogger.log.org.medfl", verbose || service ? "info" : "warn");
    setDefault("org.slf4j.simpleLogger.log.org.nd4j", verbose ? "info" : "warn");
    setDefault("org.slf4j.simpleLogger.log.org.deeplearning4j", verbose ? "info" : "warn");
    setDefault("org.slf4j.simpleLogger.log.io.grpc", verbose ? "info" : "error");
  }

  private static void setDefault(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
