package org.medfl.coordinator.round;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.medfl.common.job.JobSpec;
import org.medfl.coordinator.testing.TestJobs;

/** The bound on an update's L2 norm, derived from the job spec. */
class UpdateNormBoundTest {
  private static final String DP = "dp: {mode: %s, clip: 2.0, noise_multiplier: 1.5, delta: 0.00001, max_epsilon: 10}\n";

  @Test
  void withoutDpTheBoundIsAnRmsChangeOfTenThousandPerParameter() {
    // given
    JobSpec spec = JobSpec.parse(TestJobs.yaml(1, 2, 60));
    // when
    double bound = UpdateNormBound.of(spec, 1_000_000);
    // then
    assertEquals(1e7, bound, 1e-6);
  }

  @Test
  void withCentralDpTheBoundIsTheClipWithOnePercentToSpare() {
    // given
    JobSpec spec = JobSpec.parse(TestJobs.yaml(1, 2, 60) + String.format(DP, "central"));
    // when
    double bound = UpdateNormBound.of(spec, 1_000_000);
    // then
    assertEquals(2.02, bound, 1e-12);
  }

  @Test
  void withDistributedDpTheBoundAllowsForTheSitesOwnNoise() {
    // given: each of min_sites 2 sites adds noise of deviation 1.5 * 2 / sqrt(2) to each of 10,000 values
    JobSpec spec = JobSpec.parse(TestJobs.yaml(1, 2, 60) + String.format(DP, "distributed"));
    double sigma = 1.5 * 2.0 / Math.sqrt(2);
    // when
    double bound = UpdateNormBound.of(spec, 10_000);
    // then: clip + sigma * (sqrt(d) + 10), with 1% to spare; an honest site's norm is about sigma * sqrt(d) = 212
    assertEquals(1.01 * (2.0 + sigma * (100 + 10)), bound, 1e-9);
  }

  @Test
  void maxUpdateNormInTheSpecWins() {
    // given
    JobSpec spec = JobSpec.parse(TestJobs.yaml(1, 2, 60) + String.format(DP, "central") + "max_update_norm: 7\n");
    // when
    double bound = UpdateNormBound.of(spec, 1_000_000);
    // then
    assertEquals(7.0, bound);
  }
}
