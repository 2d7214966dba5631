package org.medfl.common.privacy;

import org.medfl.common.job.DpSpec;
import org.medfl.common.job.JobSpec;

/**
 * A job's privacy loss as the coordinator accounts it: the released global model after {@code rounds} rounds of the
 * sampled Gaussian mechanism, with sampling rate {@code min(1, fraction)} and the job's noise multiplier on the sum.
 */
public final class JobPrivacy {
  private JobPrivacy() {}

  /** Epsilon of the job's model after {@code rounds} rounds, at the job's delta; 0 for no rounds. */
  public static double epsilonAfter(JobSpec spec, int rounds) {
    DpSpec dp = requireDp(spec);
    return rounds <= 0 ? 0 : RdpAccountant.epsilonAfter(Math.min(1, spec.fraction()), dp.noiseMultiplier(), rounds,
        dp.delta());
  }

  /** The most rounds the job can run without its epsilon exceeding {@code max_epsilon}. */
  public static int roundsWithinBudget(JobSpec spec) {
    DpSpec dp = requireDp(spec);
    return RdpAccountant.maxStepsWithin(Math.min(1, spec.fraction()), dp.noiseMultiplier(), dp.delta(),
        dp.maxEpsilon());
  }

  private static DpSpec requireDp(JobSpec spec) {
    if (spec.dp() == null) {
      throw new IllegalArgumentException("job '" + spec.name() + "' has no DP");
    }
    return spec.dp();
  }
}
