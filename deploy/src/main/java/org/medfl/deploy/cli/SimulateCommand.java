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

  @Mixin
  FederationDataOptions data;

  @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: runs/<timestamp>).")
  Path out;

  @Option(names = "--strategy", defaultValue = "fedavg", paramLabel = "NAME",
      description = "fedavg or fedprox (default: ${DEFAULT-VALUE}).")
  String strategy;

  @Option(names = "--mu", defaultValue = "0.01", paramLabel = "MU",
      description = "FedProx's proximal mu, with --strategy fedprox (default: ${DEFAULT-VALUE}).")
  double mu;

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
      int threshold = secureAggregation > 0 ? secureAggregation : data.sites / 2 + 1;
      if (threshold < 2 || threshold > data.sites) {
        throw new CliException(ExitCodes.USAGE, "--secure-aggregation needs a threshold from 2 to --sites (" + data.sites
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
    data.validate();
    Path dir = out != null ? out
        : Path.of("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    Simulation.Result result = new Simulation(
        new Simulation.Options(data.sites, data.rounds, dir, data.dataset, data.partition, data.imagesPerSite,
            data.localEpochs, data.seed, data.model, strategy, strategy.equals("fedprox") ? mu : 0, privacySpec(),
            data.recipe()),
        spec.commandLine().getOut()).run();
    return result.state().equals("FINISHED") && result.auditIntact() ? ExitCodes.OK : ExitCodes.FAILED;
  }
}
