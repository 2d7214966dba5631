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
    "Demo data per site, a throwaway consortium, the coordinator and the site agents as real gRPC peers over",
    "loopback with mutual TLS, one FedAvg job with progress per round, then the global model, the audit log and",
    "a summary."})
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

  @Option(names = "--images-per-site", defaultValue = "600", paramLabel = "N",
      description = "Demo images generated per site (default: ${DEFAULT-VALUE}).")
  int imagesPerSite;

  @Option(names = "--local-epochs", defaultValue = "1", paramLabel = "E",
      description = "Local epochs per round (default: ${DEFAULT-VALUE}).")
  int localEpochs;

  @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Seed for data and training (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws Exception {
    if (sites < 1 || sites > 64) {
      throw new CliException(ExitCodes.USAGE, "--sites must be between 1 and 64, got " + sites);
    }
    if (rounds < 1 || rounds > 1000) {
      throw new CliException(ExitCodes.USAGE, "--rounds must be between 1 and 1000, got " + rounds);
    }
    if (imagesPerSite < 20) {
      throw new CliException(ExitCodes.USAGE, "--images-per-site must be at least 20, got " + imagesPerSite);
    }
    Path dir = out != null ? out
        : Path.of("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    Simulation.Result result = new Simulation(
        new Simulation.Options(sites, rounds, dir, imagesPerSite, 28, localEpochs, seed),
        spec.commandLine().getOut()).run();
    return result.state().equals("FINISHED") && result.auditIntact() ? ExitCodes.OK : ExitCodes.FAILED;
  }
}
