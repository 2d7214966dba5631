package org.medfl.deploy.cli;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.medfl.common.job.JobSpec;
import org.medfl.common.kit.StartupKit;
import org.medfl.common.pki.Role;
import org.medfl.deploy.admin.AdminClient;
import org.medfl.proto.v1.JobStatus;
import org.medfl.proto.v1.RoundSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** fl job: submit, follow and stop federated jobs. */
@Command(mixinStandardHelpOptions = true, name = "job", description = "Submit, follow and stop jobs.", subcommands = {
    JobCommand.Submit.class, JobCommand.Status.class, JobCommand.ListJobs.class, JobCommand.Abort.class})
final class JobCommand {
  private JobCommand() {}

  /** Runs {@code work} with an admin client over the kit's channel, closing the channel afterwards. */
  static <T> T withAdmin(StartupKit kit, Function<AdminClient, T> work) {
    ManagedChannel channel = KitOptions.channel(kit);
    try {
      return work.apply(new AdminClient(channel));
    } catch (StatusRuntimeException e) {
      throw KitOptions.explain(kit, e);
    } finally {
      KitOptions.close(channel);
    }
  }

  /** fl job submit. */
  @Command(name = "submit", description = "Submit JOB.yaml; prints the job id. The spec is checked before it is sent.")
  static final class Submit implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Option(names = "--kit", required = true, paramLabel = "DIR", description = "An admin's startup kit.")
    Path kitDir;

    @Parameters(paramLabel = "JOB.yaml", description = "The job spec.")
    Path jobFile;

    @Override
    public Integer call() {
      String yaml;
      try {
        yaml = Files.readString(jobFile, StandardCharsets.UTF_8);
      } catch (NoSuchFileException e) {
        throw new CliException(ExitCodes.USAGE, jobFile + " does not exist");
      } catch (IOException e) {
        throw new CliException(ExitCodes.USAGE, "cannot read " + jobFile + ": " + e.getMessage());
      }
      JobSpec.parse(yaml);
      StartupKit kit = KitOptions.load(kitDir, Role.ADMIN);
      String id = withAdmin(kit, admin -> admin.submit(yaml));
      spec.commandLine().getOut().println(id);
      return ExitCodes.OK;
    }
  }

  /** fl job status. */
  @Command(name = "status", description = "Round reached, participating sites and per-round metrics of a job.")
  static final class Status implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Option(names = "--kit", required = true, paramLabel = "DIR", description = "An admin's or auditor's kit.")
    Path kitDir;

    @Parameters(paramLabel = "JOB_ID", arity = "0..1", description = "The job (default: the newest).")
    String jobId;

    @Override
    public Integer call() {
      StartupKit kit = KitOptions.load(kitDir, Role.ADMIN, Role.AUDITOR);
      JobStatus status = withAdmin(kit, admin -> admin.status(jobId));
      print(status, spec.commandLine().getOut());
      return "FAILED".equals(status.getState()) ? ExitCodes.FAILED : ExitCodes.OK;
    }
  }

  /** Prints a job status as a short report. */
  static void print(JobStatus status, PrintWriter out) {
    out.printf("job %s (%s): %s, %d of %d rounds done%n", status.getJobId(), status.getName(), status.getState(),
        status.getRoundsCompleted(), status.getRoundsTotal());
    out.printf("  %s%n", status.getMessage());
    out.printf("  submitted by %s; enrolled: %s; connected: %s%n", status.getSubmittedBy(),
        status.getEnrolledSitesList().isEmpty() ? "every site" : String.join(", ", status.getEnrolledSitesList()),
        status.getConnectedSitesList().isEmpty() ? "none" : String.join(", ", status.getConnectedSitesList()));
    if (status.getRoundsCount() > 0) {
      out.printf("  %5s  %-24s  %8s  %8s  %8s  %10s  %8s  %8s  %s%n", "round", "sites", "examples", "loss",
          "val acc", "global acc", "epsilon", "seconds", "model sha256");
      for (RoundSummary round : status.getRoundsList()) {
        out.printf("  %5d  %-24s  %8d  %8.4f  %8.4f  %10s  %8s  %8.1f  %s%n", round.getRound(),
            String.join(",", round.getSitesList()), round.getNumExamples(), round.getTrainLoss(),
            round.getValAccuracy(), round.hasEvaluation() ? String.format("%.4f", round.getEvaluation().getAccuracy())
                : "-", round.hasEpsilon() ? String.format("%.3f", round.getEpsilon()) : "-", round.getSeconds(),
            round.getModelSha256().substring(0, 16));
        for (String rejected : round.getRejectedList()) {
          out.printf("         rejected %s%n", rejected);
        }
      }
      RoundSummary evaluated = MetricsTable.latestEvaluated(status.getRoundsList());
      if (evaluated != null) {
        MetricsTable.print(evaluated, status.getClassesList(), out);
      }
    }
    out.flush();
  }

  /** fl job list. */
  @Command(name = "list", description = "All jobs, newest first.")
  static final class ListJobs implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Option(names = "--kit", required = true, paramLabel = "DIR", description = "An admin's or auditor's kit.")
    Path kitDir;

    @Override
    public Integer call() {
      StartupKit kit = KitOptions.load(kitDir, Role.ADMIN, Role.AUDITOR);
      var jobs = withAdmin(kit, AdminClient::list);
      PrintWriter out = spec.commandLine().getOut();
      if (jobs.isEmpty()) {
        out.println("no jobs");
      }
      for (JobStatus job : jobs) {
        out.printf("%-30s %-20s %-9s %3d/%-3d rounds  %s%n", job.getJobId(), job.getName(), job.getState(),
            job.getRoundsCompleted(), job.getRoundsTotal(), job.getMessage());
      }
      out.flush();
      return ExitCodes.OK;
    }
  }

  /** fl job abort. */
  @Command(name = "abort", description = "Stop a job after the current round's bookkeeping.")
  static final class Abort implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Option(names = "--kit", required = true, paramLabel = "DIR", description = "An admin's startup kit.")
    Path kitDir;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Recorded in the audit log.")
    String reason = "";

    @Parameters(paramLabel = "JOB_ID", description = "The job to stop.")
    String jobId;

    @Override
    public Integer call() {
      StartupKit kit = KitOptions.load(kitDir, Role.ADMIN);
      JobStatus status = withAdmin(kit, admin -> admin.abort(jobId, reason));
      print(status, spec.commandLine().getOut());
      return ExitCodes.OK;
    }
  }
}
