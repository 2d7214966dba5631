package org.medfl.coordinator.testing;

/** Job specs for coordinator tests. */
public final class TestJobs {
  private TestJobs() {}

  /**
   * A small valid spec; the coordinator tests replace the model by a plain vector, so its size does not matter.
   * Federated evaluation is off: these scripted sites only train (see {@link #withEvaluation}).
   */
  public static String yaml(int rounds, int minSites, int deadlineSeconds) {
    return withEvaluation(rounds, minSites, deadlineSeconds).replace("every_rounds: 1", "every_rounds: 0");
  }

  /** The same spec with the global model evaluated at the sites after every round. */
  public static String withEvaluation(int rounds, int minSites, int deadlineSeconds) {
    return String.join("\n",
        "name: test-job",
        "model:",
        "  name: cnn-fedavg",
        "  input: {width: 8, height: 8, channels: 1}",
        "classes: [a, b]",
        "rounds: " + rounds,
        "min_sites: " + minSites,
        "fraction: 1.0",
        "local_epochs: 1",
        "batch_size: 4",
        "optimizer: {name: sgd, learning_rate: 0.1}",
        "round_deadline_seconds: " + deadlineSeconds,
        "seed: 7",
        "strategy: fedavg",
        "validation_fraction: 0.2",
        "evaluation: {every_rounds: 1}",
        "");
  }
}
