package org.medfl.deploy.cli;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import org.medfl.deploy.simulate.Simulation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** fl simulate: the main demo. */
@Command(name = "simulate", description = {
    "Run a whole federation on this machine.",
    "Synthetic data per site (by default CT phantoms written as DICOM; not patient data), a throwaway consortium,",
    "the coordinator and the site agents as real gRPC peers over loopback with mutual TLS, one FedAvg job with",
    "progress per round, then the global model, the audit log and a summary."})
final class SimulateCommand implements Callable<Integer> {
  @Mixin
  GlobalOptions global;

  @Spec
  CommandSpec spec;

  @Option(names = "--sites", defaultValue = "3", paramLabel = "N", description = "Simulated hospitals (default: ${DEFAULT-VALUE}).")
  int sites;

  @Option(names = "--rounds", defaultValue = "5", paramLabel = "R", description = "Federated rounds (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: runs/<timestamp>).")
  Path out;

  @Option(names = "--dataset", defaultValue = "phantoms", paramLabel = "NAME|DIR",
      description = "phantoms (synthetic CT slices as DICOM, classes normal/nodule), demo (synthetic PNG shapes), "
          + "fashion-mnist (Debian's dataset-fashion-mnist package) or a folder of <label>/<image> files "
          + "(default: ${DEFAULT-VALUE}).")
  String dataset;

  @Option(names = "--partition", defaultValue = "iid", paramLabel = "SPEC",
      description = "How a real data set is split across sites: iid, dirichlet:ALPHA or shards:K (each site holds K "
          + "labels) (default: ${DEFAULT-VALUE}).")
  String partition;

  @Option(names = "--images-per-site", paramLabel = "N",
      description = "Cap on each site's images (default: 400 phantoms, 600 demo images; all of a real data set's "
          + "share).")
  Integer imagesPerSite;

  @Option(names = "--model", defaultValue = "cnn-fedavg", paramLabel = "NAME",
      description = "Model zoo name (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--strategy", defaultValue = "fedavg", paramLabel = "NAME",
      description = "fedavg or fedprox (default: ${DEFAULT-VALUE}).")
  String strategy;

  @Option(names = "--mu", defaultValue = "0.01", paramLabel = "MU",
      description = "FedProx's proximal mu, with --strategy fedprox (default: ${DEFAULT-VALUE}).")
  double mu;

  @Option(names = "--local-epochs", defaultValue = "1", paramLabel = "E",
      description = "Local epochs per round (default: ${DEFAULT-VALUE}).")
  int localEpochs;

  @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Seed for data and training (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--secure-aggregation", paramLabel = "T", arity = "0..1", fallbackValue = "-1",
      description = "Secure aggregation: the coordinator sees only the sum of the updates. T of T-of-N "
          + "(default when given without a value: a majority of the sites).")
  Integer secureAggregation;

  @Option(names = "--dp", paramLabel = "MODE", description = "Differential privacy: central or distributed "
      + "(distributed with --secure-aggregation).")
  String dp;

  @Option(names = "--clip", defaultValue = "1.0", paramLabel = "S", description = "DP: L2 clip of each update (default: ${DEFAULT-VALUE}).")
  double clip;

  @Option(names = "--noise-multiplier", defaultValue = "1.0", paramLabel = "Z", description = "DP: noise multiplier (default: ${DEFAULT-VALUE}).")
  double noiseMultiplier;

  @Option(names = "--max-epsilon", defaultValue = "10", paramLabel = "E", description = "DP: stop before epsilon exceeds this (default: ${DEFAULT-VALUE}).")
  double maxEpsilon;

  /** JOB.yaml lines for the privacy flags. */
  private String privacySpec() {
    StringBuilder lines = new StringBuilder();
    if (secureAggregation != null) {
      int threshold = secureAggregation > 0 ? secureAggregation : sites / 2 + 1;
      if (threshold < 2 || threshold > sites) {
        throw new CliException(ExitCodes.USAGE, "--secure-aggregation needs a threshold from 2 to --sites (" + sites
            + "), got " + threshold);
      }
      lines.append("secure_aggregation: {threshold: ").append(threshold).append("}\n");
    }
    if (dp != null) {
      lines.append("dp: {mode: ").append(dp).append(", clip: ").append(clip).append(", noise_multiplier: ")
          .append(noiseMultiplier).append(", delta: 0.00001, max_epsilon: ").append(maxEpsilon).append("}\n");
    }
    return lines.toString();
  }

  @Override
  public Integer call() throws Exception {
    if (sites < 1 || sites > 64) {
      throw new CliException(ExitCodes.USAGE, "--sites must be between 1 and 64, got " + sites);
    }
    if (rounds < 1 || rounds > 1000) {
      throw new CliException(ExitCodes.USAGE, "--rounds must be between 1 and 1000, got " + rounds);
    }
    if (imagesPerSite != null && imagesPerSite < 20) {
      throw new CliException(ExitCodes.USAGE, "--images-per-site must be at least 20, got " + imagesPerSite);
    }
    Path dir = out != null ? out
        : Path.of("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    Simulation.Result result = new Simulation(
        new Simulation.Options(sites, rounds, dir, dataset, partition, imagesPerSite, localEpochs, seed, model,
            strategy, strategy.equals("fedprox") ? mu : 0, privacySpec()),
        spec.commandLine().getOut()).run();
    return result.state().equals("FINISHED") && result.auditIntact() ? ExitCodes.OK : ExitCodes.FAILED;
  }
}
