package org.medfl.deploy.cli;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import org.medfl.common.job.JobSpec;
import org.medfl.deploy.admin.ModelExport;
import org.medfl.deploy.simulate.CentralTraining;
import org.medfl.deploy.simulate.SimulationData;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** fl train-central: the pooled-data baseline. */
@Command(name = "train-central", description = {
    "Train the same model on the pooled data of all simulated sites, with the same budget.",
    "Takes the data options of 'fl simulate', so the two runs see exactly the same images; a consortium compares",
    "the federated model against this baseline."})
final class TrainCentralCommand implements Callable<Integer> {
  @Mixin
  GlobalOptions global;

  @Spec
  CommandSpec spec;

  @Mixin
  FederationDataOptions options;

  @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: runs/central-<timestamp>).")
  Path out;

  @Option(names = "--training-threads", paramLabel = "N",
      description = "Threads that share each training step, each taking part of the minibatch (default: this "
          + "machine's cores, ${DEFAULT-VALUE}). Results are reproducible for a given N.")
  int trainingThreads = Runtime.getRuntime().availableProcessors();

  @Override
  public Integer call() {
    options.validate();
    if (trainingThreads < 1) {
      throw new CliException(ExitCodes.USAGE, "--training-threads must be at least 1, got " + trainingThreads);
    }
    Path dir = out != null ? out
        : Path.of("runs", "central-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    List<String> names = options.siteNames();
    var console = spec.commandLine().getOut();
    SimulationData.Prepared data = SimulationData.prepare(options.dataset, options.partition, names,
        dir.resolve("data"), options.imagesPerSite, options.seed);
    console.println("data: " + data.description());
    JobSpec job = JobSpec.parse(String.join("\n", "name: central-baseline",
        "model: {name: " + options.model + ", input: {width: " + data.size() + ", height: " + data.size() + ", channels: "
            + data.channels() + "}, " + options.recipe().modelKeys() + "}",
        "classes: [" + String.join(", ", data.classes()) + "]",
        "rounds: " + options.rounds, "min_sites: 1", "local_epochs: " + options.localEpochs,
        options.recipe().yaml(), "seed: " + options.seed,
        data.preprocessingYaml(), ""));
    CentralTraining.Result result = new CentralTraining(console, trainingThreads).run(job, dir.resolve("data"), names,
        data.testSet());
    Path model = dir.resolve("central-model.zip");
    ModelExport.write(job, result.parameters(), model);
    console.printf("central model: %s (%.1f s of training)%n", model, result.seconds());
    console.flush();
    return ExitCodes.OK;
  }
}
