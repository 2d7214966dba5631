package org.medfl.deploy.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.UncheckedIOException;
import org.medfl.client.data.DataException;
import org.medfl.common.job.JobSpecException;
import org.medfl.common.kit.KitException;
import org.medfl.common.pki.PkiException;
import picocli.CommandLine;

/** Turns any failure into {@code fl: error: <one sentence>} and an exit code; a stack trace only with --verbose. */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(Exception e, CommandLine command, CommandLine.ParseResult parsed) {
    boolean verbose = parsed.originalArgs().contains("--verbose") || parsed.originalArgs().contains("-v");
    int code = exitCode(e);
    command.getErr().println("fl: error: " + message(e));
    if (verbose) {
      e.printStackTrace(command.getErr());
    }
    command.getErr().flush();
    return code;
  }

  static int exitCode(Exception e) {
    if (e instanceof CliException cli) {
      return cli.exitCode();
    }
    if (e instanceof KitException || e instanceof JobSpecException || e instanceof DataException
        || e instanceof PkiException || e instanceof IllegalArgumentException) {
      return ExitCodes.USAGE;
    }
    if (e instanceof StatusRuntimeException status && (status.getStatus().getCode() == Status.Code.INVALID_ARGUMENT
        || status.getStatus().getCode() == Status.Code.NOT_FOUND)) {
      return ExitCodes.USAGE;
    }
    return ExitCodes.FAILED;
  }

  static String message(Exception e) {
    if (e instanceof StatusRuntimeException status) {
      Status s = status.getStatus();
      String description = s.getDescription() == null ? "" : s.getDescription();
      return switch (s.getCode()) {
        case UNAVAILABLE -> "cannot reach the coordinator (" + (description.isEmpty() ? "unavailable" : description)
            + "); is it running, and does the kit's address point to it?";
        case PERMISSION_DENIED -> "the coordinator refused: " + description;
        case UNAUTHENTICATED -> "the coordinator did not accept this kit's certificate: " + description;
        default -> description.isEmpty() ? s.getCode().name().toLowerCase() : description;
      };
    }
    if (e instanceof UncheckedIOException io) {
      return io.getMessage();
    }
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }
}
