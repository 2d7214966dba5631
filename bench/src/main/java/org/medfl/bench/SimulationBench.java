package org.medfl.bench;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.medfl.common.model.NativeAcceleration;
import org.medfl.deploy.simulate.Simulation;

/**
 * Runs the default simulation (3 sites, 5 rounds, 600 images per site) several times in one JVM and prints, per run
 * and as medians, the wall time and the share of the rounds spent outside local work at the sites (transport, TLS,
 * serialization, digests, aggregation, checkpoints, audit). The first run includes JVM and ND4J warm-up; it is
 * reported but left out of the medians. Argument: runs (default 4).
 */
public final class SimulationBench {
  private SimulationBench() {}

  /** Prints one line per run, then the medians. */
  public static void main(String[] args) throws Exception {
    NativeAcceleration.enable();
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 4;
    List<Double> walls = new ArrayList<>();
    List<Double> shares = new ArrayList<>();
    System.out.println("compute: " + NativeAcceleration.describe());
    System.out.printf("%-4s %9s %11s %12s %12s %9s %9s%n", "run", "wall s", "federation", "local work s",
        "outside s", "outside %", "accuracy");
    for (int run = 1; run <= runs; run++) {
      Path out = Files.createTempDirectory("medfl-bench-").resolve("run");
      long start = System.nanoTime();
      Simulation.Result result = new Simulation(Simulation.Options.demo(3, 5, out, 600, 42),
          new PrintWriter(new StringWriter())).run();
      double wall = (System.nanoTime() - start) / 1e9;
      Simulation.Timing t = result.timing();
      double rounds = t.trainingSeconds() + t.outsideTrainingSeconds();
      double share = 100 * t.outsideTrainingSeconds() / rounds;
      double accuracy = result.sites().stream().mapToDouble(s -> s.accuracy() * s.validationImages()).sum()
          / result.sites().stream().mapToDouble(s -> (double) s.validationImages()).sum();
      System.out.printf("%-4d %9.2f %11.2f %12.2f %12.2f %8.1f%% %9.4f%s%n", run, wall, t.federationSeconds(),
          t.trainingSeconds(), t.outsideTrainingSeconds(), share, accuracy, run == 1 ? "  (warm-up)" : "");
      if (run > 1) {
        walls.add(wall);
        shares.add(share);
      }
    }
    if (!walls.isEmpty()) {
      System.out.printf("median of runs 2..%d: wall %.2f s, outside local work %.1f%% of round time%n", runs,
          median(walls), median(shares));
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
