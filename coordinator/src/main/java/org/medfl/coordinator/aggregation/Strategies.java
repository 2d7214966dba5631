package org.medfl.coordinator.aggregation;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The one list of built-in strategies, by the name a job spec uses. */
public final class Strategies {
  private static final Map<String, Supplier<Strategy>> BUILT_IN = Map.of(
      FedAvg.NAME, FedAvg::new,
      FedProx.NAME, FedProx::new);

  private Strategies() {}

  /** A new instance of the named strategy. */
  public static Strategy byName(String name) {
    Supplier<Strategy> supplier = BUILT_IN.get(name);
    if (supplier == null) {
      throw new IllegalArgumentException("unknown strategy '" + name + "'; known: " + names());
    }
    return supplier.get();
  }

  /** The strategy a job runs: its named strategy, wrapped for differential privacy when the job asks for it. */
  public static Strategy forJob(org.medfl.common.job.JobSpec spec) {
    Strategy strategy = byName(spec.strategy());
    return spec.dp() == null ? strategy : new DifferentialPrivacy(strategy, spec.dp());
  }

  /** Names of all built-in strategies, sorted. */
  public static List<String> names() {
    return BUILT_IN.keySet().stream().sorted().toList();
  }
}
