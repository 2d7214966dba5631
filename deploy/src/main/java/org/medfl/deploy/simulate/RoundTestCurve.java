package org.medfl.deploy.simulate;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.medfl.client.data.LabeledImages;
import org.medfl.common.job.JobSpec;
import org.medfl.coordinator.job.JobStore;
import org.medfl.proto.v1.RoundSummary;

/**
 * Test accuracy of each round's global model, read from the coordinator's checkpoint of that round (its digest
 * checked against the round's summary), so a simulation with a held-out test set prints the curve a consortium
 * judges a run by while the run goes, instead of only the final model's accuracy.
 */
final class RoundTestCurve {
  private final JobSpec spec;
  private final LabeledImages test;
  private final JobStore store;
  private final Map<Integer, Double> accuracies = new TreeMap<>();

  RoundTestCurve(JobSpec spec, LabeledImages test, JobStore store) {
    this.spec = spec;
    this.test = test;
    this.store = store;
  }

  /**
   * Evaluates the global model committed after {@code round} on the test set and remembers the result.
   *
   * @throws IllegalStateException if the checkpointed model does not match the round's digest
   */
  double evaluate(RoundSummary round) {
    double accuracy = TestSetEvaluation.accuracy(spec, store.readModel(round.getRound(), round.getModelSha256()),
        test);
    accuracies.put(round.getRound(), accuracy);
    return accuracy;
  }

  /** Round number to test accuracy, for every round evaluated so far. */
  Map<Integer, Double> accuracies() {
    return Collections.unmodifiableMap(accuracies);
  }
}
