package org.medfl.common.job;

/**
 * Federated evaluation of the global model at the sites.
 *
 * @param everyRounds evaluate after every k-th round (and always after the last), 1..10000
 */
public record EvaluationSpec(int everyRounds) {
  public EvaluationSpec {
    if (everyRounds < 1 || everyRounds > 10_000) {
      throw JobSpecException.key("evaluation.every_rounds", "must be between 1 and 10000, got " + everyRounds);
    }
  }

  /** Every round. */
  public static EvaluationSpec defaults() {
    return new EvaluationSpec(1);
  }
}
