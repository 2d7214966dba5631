package org.medfl.common.job;

import java.util.List;

/**
 * Differential privacy on the site updates: each clipped to L2 norm {@code clip}, Gaussian noise of standard
 * deviation {@code noiseMultiplier * clip} on their sum, added by the coordinator (central) or split across the sites
 * (distributed).
 *
 * @param delta the delta of the (epsilon, delta) guarantee, in (0, 1)
 * @param maxEpsilon the job stops before its epsilon would exceed this
 */
public record DpSpec(String mode, double clip, double noiseMultiplier, double delta, double maxEpsilon) {
  /** Where the noise is added. */
  public static final List<String> MODES = List.of("central", "distributed");

  public DpSpec {
    JobSpec.oneOf("dp.mode", mode, MODES);
    positive("dp.clip", clip);
    positive("dp.noise_multiplier", noiseMultiplier);
    positive("dp.max_epsilon", maxEpsilon);
    if (!(delta > 0 && delta < 1)) {
      throw JobSpecException.key("dp.delta", "must be between 0 and 1 (exclusive), got " + delta);
    }
  }

  private static void positive(String key, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw JobSpecException.key(key, "must be a positive number, got " + value);
    }
  }
}
