package org.medfl.deploy.cli;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
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

  @Option(names = "--sites", defaultValue = "3", paramLabel = "N", description = "Sites whose data is pooled (default: ${DEFAULT-VALUE}).")
  int sites;

  @Option(names = "--rounds", defaultValue = "5", paramLabel = "R", description = "Rounds of the federation to match (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--local-epochs", defaultValue = "1", paramLabel = "E", description = "Epochs per round (default: ${DEFAULT-VALUE}).")
  int localEpochs;

  @Option(names = "--dataset", defaultValue = "phantoms", paramLabel = "NAME|DIR", description = "As for fl simulate (default: ${DEFAULT-VALUE}).")
  String dataset;

  @Option(names = "--partition", defaultValue = "iid", paramLabel = "SPEC", description = "As for fl simulate (default: ${DEFAULT-VALUE}).")
  String partition;

  @Option(names = "--images-per-site", paramLabel = "N", description = "As for fl simulate.")
  Integer imagesPerSite;

  @Option(names = "--model", defaultValue = "cnn-fedavg", paramLabel = "NAME", description = "Model zoo name (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: runs/central-<timestamp>).")
  Path out;

  @Override
  public Integer call() {
    if (sites < 1 || rounds < 1 || localEpochs < 1) {
      throw new CliException(ExitCodes.USAGE, "--sites, --rounds and --local-epochs must be at least 1");
    }
    Path dir = out != null ? out
        : Path.of("runs", "central-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= sites; i++) {
      names.add("hospital-" + i);
    }
    var console = spec.commandLine().getOut();
    SimulationData.Prepared data = SimulationData.prepare(dataset, partition, names, dir.resolve("data"),
        imagesPerSite, seed);
    console.println("data: " + data.description());
    JobSpec job = JobSpec.parse(String.join("\n", "name: central-baseline",
        "model: {name: " + model + ", input: {width: " + data.size() + ", height: " + data.size() + ", channels: "
            + data.channels() + "}}",
        "classes: [" + String.join(", ", data.classes()) + "]",
        "rounds: " + rounds, "min_sites: 1", "local_epochs: " + localEpochs, "batch_size: 32",
        "optimizer: {name: adam, learning_rate: 0.001}", "seed: " + seed, "validation_fraction: 0.2",
        data.preprocessingYaml(), ""));
    CentralTraining.Result result = new CentralTraining(console).run(job, dir.resolve("data"), names,
        data.testSet());
    Path model = dir.resolve("central-model.zip");
    ModelExport.write(job, result.parameters(), model);
    console.printf("central model: %s (%.1f s of training)%n", model, result.seconds());
    console.flush();
    return ExitCodes.OK;
  }
}
