package org.medfl.coordinator.aggregation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.medfl.common.job.DpSpec;
import org.medfl.common.job.JobSpec;
import org.medfl.coordinator.testing.TestJobs;

class DifferentialPrivacyTest {
  private final RoundContext round = new RoundContext("job-1", 1, JobSpec.parse(TestJobs.yaml(1, 2, 60)));

  @Test
  void centralModeClipsEachUpdateAndAveragesWithEqualWeights() {
    // given: noise so small it vanishes in float32, clip 1
    Strategy strategy = new DifferentialPrivacy(new FedAvg(), new DpSpec("central", 1.0, 1e-12, 1e-5, 10),
        new Random(1));
    Accumulator accumulator = strategy.startAggregation(round, new float[] {1f, 1f});
    // when: {3,4} has norm 5 and is clipped to {0.6,0.8}; {0,0.5} is within; example counts are ignored
    accumulator.add(new SiteUpdate("a", new float[] {3f, 4f}, 1000, 0, 0, 0, 0, "x"));
    accumulator.add(new SiteUpdate("b", new float[] {0f, 0.5f}, 1, 0, 0, 0, 0, "y"));
    // then: {1,1} + ({0.6,0.8} + {0,0.5}) / 2 = {1.3, 1.65}
    assertArrayEquals(new float[] {1.3f, 1.65f}, accumulator.result(), 1e-6f);
  }

  @Test
  void centralNoiseHasTheCalibratedStandardDeviation() {
    // given: z = 2, clip = 0.5, so sigma on the sum is 1; one update, so on the mean it is 1 too
    Strategy strategy = new DifferentialPrivacy(new FedAvg(), new DpSpec("central", 0.5, 2.0, 1e-5, 10),
        new Random(7));
    int n = 100_000;
    Accumulator accumulator = strategy.startAggregation(round, new float[n]);
    // when
    accumulator.add(new SiteUpdate("a", new float[n], 1, 0, 0, 0, 0, "x"));
    float[] result = accumulator.result();
    // then: sample standard deviation within 1% of 1
    double sumSquares = 0;
    for (float v : result) {
      sumSquares += v * v;
    }
    assertEquals(1.0, Math.sqrt(sumSquares / n), 0.01);
  }
}
