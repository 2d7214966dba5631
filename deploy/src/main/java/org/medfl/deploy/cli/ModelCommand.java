package org.medfl.deploy.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.medfl.common.codec.CodecException;
import org.medfl.common.job.JobSpec;
import org.medfl.common.kit.StartupKit;
import org.medfl.common.pki.Role;
import org.medfl.deploy.admin.AdminClient;
import org.medfl.deploy.admin.ModelExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** fl model: get global models out of the federation. */
@Command(mixinStandardHelpOptions = true, name = "model", description = "Global models.", subcommands = ModelCommand.Download.class)
final class ModelCommand {
  private ModelCommand() {}

  /** fl model download. */
  @Command(name = "download", description = "Download a job's latest global model as a DL4J model zip "
      + "(org.deeplearning4j.util.ModelSerializer loads it).")
  static final class Download implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Option(names = "--kit", required = true, paramLabel = "DIR", description = "An admin's or auditor's kit.")
    Path kitDir;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The zip to write.")
    Path out;

    @Parameters(paramLabel = "JOB_ID", description = "The job.")
    String jobId;

    @Override
    public Integer call() throws CodecException {
      StartupKit kit = KitOptions.load(kitDir, Role.ADMIN, Role.AUDITOR);
      AdminClient.DownloadedModel model = JobCommand.withAdmin(kit, admin -> {
        try {
          return admin.downloadModel(jobId);
        } catch (CodecException e) {
          throw new CliException(ExitCodes.FAILED, "the downloaded model is damaged: " + e.getMessage());
        }
      });
      ModelExport.write(JobSpec.parse(model.specYaml()), model.parameters(), out);
      spec.commandLine().getOut().printf("%s: global model of %s after round %d (sha256 %s, %d parameters)%n", out,
          jobId, model.round(), model.sha256(), model.parameters().length);
      return ExitCodes.OK;
    }
  }
}
