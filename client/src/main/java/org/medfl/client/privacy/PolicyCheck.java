package org.medfl.client.privacy;

import java.util.Locale;
import java.util.Optional;
import org.medfl.common.job.DpSpec;
import org.medfl.common.job.JobSpec;
import org.medfl.common.privacy.GaussianNoise;
import org.medfl.common.privacy.RdpAccountant;

/**
 * Decides whether the site may train a round of a job under its own privacy policy: the hospital's word beats the
 * job's. The first rule broken gives the reason; a task that breaks none is accepted.
 *
 * <p>The noise that counts is the noise on what the coordinator can see. In central mode that is the job's noise
 * multiplier z, which trusts the coordinator to add the noise it promised (it sees the clipped updates without it).
 * In distributed mode each site adds z / sqrt(min_sites) of it ({@link GaussianNoise#siteSigma}); without secure
 * aggregation the coordinator sees this site's update alone, so the site counts z / sqrt(min_sites), and with it the
 * coordinator can unmask a sum of as few as {@code threshold} updates, so the site counts
 * z * sqrt(threshold / min_sites).
 *
 * <p>The job's epsilon after round r is that of r rounds of the Sampled Gaussian Mechanism with q = min(1, fraction)
 * and that noise, at the job's delta ({@link RdpAccountant}). The sampling amplification assumes the coordinator
 * picks sites at random and keeps the choice hidden.
 */
public final class PolicyCheck {
  private PolicyCheck() {}

  /**
   * The reason the site must refuse to train {@code round} of job {@code jobId}, or empty when the task is within
   * its policy and budget.
   *
   * @param round the round about to be trained, from 1; it counts as the round-th use of the site's data
   */
  public static Optional<String> refusal(PrivacyPolicy policy, JobSpec spec, PrivacyBudget budget, String jobId,
      int round) {
    if (round < 1) {
      throw new IllegalArgumentException("round must be 1 or more, got " + round);
    }
    if (policy.requireSecureAggregation() && spec.secureAggregation() == null) {
      return reason("site policy requires secure aggregation; job %s has none", jobId);
    }
    DpSpec dp = spec.dp();
    if (dp == null) {
      return refusalWithoutDp(policy, jobId);
    }
    double noise = visibleNoiseMultiplier(spec);
    if (noise < policy.minNoiseMultiplier()) {
      String asks = noise == dp.noiseMultiplier() ? fmt(noise)
          : fmt(dp.noiseMultiplier()) + ", which is " + fmt(noise) + " on what the coordinator sees ("
              + dp.mode() + " noise over min_sites " + spec.minSites()
              + (spec.secureAggregation() == null ? ", no secure aggregation)"
                  : ", secure aggregation threshold " + spec.secureAggregation().threshold() + ")");
      return reason("site policy requires DP with noise_multiplier >= %s; job %s asks %s",
          fmt(policy.minNoiseMultiplier()), jobId, asks);
    }
    if (dp.clip() > policy.maxClip()) {
      return reason("site policy caps clip at %s; job %s asks %s", fmt(policy.maxClip()), jobId, fmt(dp.clip()));
    }
    double epsilon = RdpAccountant.epsilonAfter(Math.min(1, spec.fraction()), noise, round, dp.delta());
    if (epsilon > dp.maxEpsilon()) {
      return reason("round %d would raise job %s's epsilon to %s, above its own max_epsilon %s", round, jobId,
          fmt(epsilon), fmt(dp.maxEpsilon()));
    }
    if (policy.hasBudget()) {
      var cap = policy.budget();
      double others = budget.spent() - budget.spentBy(jobId);
      double total = others + Math.max(epsilon, budget.spentBy(jobId));
      if (total > cap.epsilon()) {
        return reason("this round would raise job %s's epsilon to %s, leaving the site's budget (%s) exceeded: %s"
            + " spent", jobId, fmt(epsilon), fmt(cap.epsilon()), fmt(total));
      }
      double othersDelta = budget.spentDelta() - budget.deltaOf(jobId);
      double totalDelta = othersDelta + Math.max(dp.delta(), budget.deltaOf(jobId));
      if (totalDelta > cap.delta() * (1 + 1e-9)) {
        return reason("job %s's delta %s on top of %s spent by other jobs exceeds the site's delta budget %s",
            jobId, dp.delta(), othersDelta, cap.delta());
      }
    }
    return Optional.empty();
  }

  /**
   * The noise multiplier on what the coordinator sees of this site's update; see the class comment.
   *
   * @throws IllegalArgumentException when the job has no DP
   */
  public static double visibleNoiseMultiplier(JobSpec spec) {
    DpSpec dp = spec.dp();
    if (dp == null) {
      throw new IllegalArgumentException("job '" + spec.name() + "' has no DP");
    }
    if (dp.mode().equals(GaussianNoise.CENTRAL)) {
      return dp.noiseMultiplier();
    }
    int visible = spec.secureAggregation() == null ? 1 : spec.secureAggregation().threshold();
    return dp.noiseMultiplier() * Math.sqrt(Math.min(1.0, (double) visible / spec.minSites()));
  }

  /** The epsilon this site counts against its budget for a DP job after {@code round} rounds (see the class comment). */
  public static double siteEpsilonAfter(JobSpec spec, int round) {
    return RdpAccountant.epsilonAfter(Math.min(1, spec.fraction()), visibleNoiseMultiplier(spec), round,
        spec.dp().delta());
  }

  private static Optional<String> refusalWithoutDp(PrivacyPolicy policy, String jobId) {
    if (policy.requireDp()) {
      return reason("site policy requires differential privacy; job %s has none", jobId);
    }
    if (policy.minNoiseMultiplier() > 0) {
      return reason("site policy requires DP with noise_multiplier >= %s; job %s has no DP",
          fmt(policy.minNoiseMultiplier()), jobId);
    }
    if (policy.maxClip() < Double.POSITIVE_INFINITY) {
      return reason("site policy caps clip at %s; job %s has no DP, so its updates are not clipped",
          fmt(policy.maxClip()), jobId);
    }
    if (policy.hasBudget()) {
      return reason("site policy sets a privacy budget (epsilon %s); job %s has no DP, so its epsilon is unbounded",
          fmt(policy.budget().epsilon()), jobId);
    }
    return Optional.empty();
  }

  private static Optional<String> reason(String format, Object... args) {
    return Optional.of(String.format(Locale.ROOT, format, args));
  }

  /** Two decimals without trailing zeros, keeping one: 10.0, 3.2, 0.45. */
  private static String fmt(double value) {
    String s = String.format(Locale.ROOT, "%.2f", value);
    return s.endsWith("0") ? s.substring(0, s.length() - 1) : s;
  }
}
