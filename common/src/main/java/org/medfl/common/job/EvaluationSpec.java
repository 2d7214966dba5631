package org.medfl.common.job;

/**
 * Federated evaluation of the global model at the sites.
 *
 * @param everyRounds evaluate after every k-th round and always after the last, 1..10000; 0 turns federated
 *     evaluation off (the sites still report their local validation accuracy with each update)
 */
public record EvaluationSpec(int everyRounds) {
  public EvaluationSpec {
    if (everyRounds < 0 || everyRounds > 10_000) {
      throw JobSpecException.key("evaluation.every_rounds", "must be between 0 (off) and 10000, got "
          + everyRounds);
    }
  }

  /** True when the global model committed after {@code round} of {@code rounds} is to be evaluated. */
  public boolean due(int round, int rounds) {
    return everyRounds > 0 && (round % everyRounds == 0 || round == rounds);
  }

  /** Every round. */
  public static EvaluationSpec defaults() {
    return new EvaluationSpec(1);
  }
}
