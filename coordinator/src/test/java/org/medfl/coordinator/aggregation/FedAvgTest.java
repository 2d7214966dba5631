package org.medfl.coordinator.aggregation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.medfl.common.job.JobSpec;
import org.junit.jupiter.api.Test;
import org.medfl.coordinator.testing.TestJobs;

class FedAvgTest {
  private final RoundContext round = new RoundContext("job-1", 1, JobSpec.parse(TestJobs.yaml(1, 2, 60)));

  @Test
  void weightsUpdatesByExampleCount() {
    // given: global g, deltas d1 (100 examples) and d2 (300 examples); values chosen to be exact in float32
    float[] global = {1f, 2f, 3f};
    Accumulator accumulator = new FedAvg().startAggregation(round, global);
    // when
    accumulator.add(update("a", new float[] {4f, 0f, -8f}, 100));
    accumulator.add(update("b", new float[] {0f, 4f, 8f}, 300));
    // then: g + (100*d1 + 300*d2) / 400 = g + {1, 3, 4}
    assertArrayEquals(new float[] {2f, 5f, 7f}, accumulator.result());
    assertEquals(2, accumulator.count());
  }

  @Test
  void aggregationWithoutUpdatesKeepsThePreviousModel() {
    // given
    Accumulator accumulator = new FedAvg().startAggregation(round, new float[] {1f});
    // when / then
    assertNull(accumulator.result());
  }

  @Test
  void weightedMeanMatchesHandComputation() {
    // given: (1*[2,4] + 3*[6,8]) / 4 = [5, 7]
    // when
    float[] mean = WeightedMean.of(List.of(new float[] {2f, 4f}, new float[] {6f, 8f}), List.of(1L, 3L));
    // then
    assertArrayEquals(new float[] {5f, 7f}, mean);
  }

  @Test
  void rejectsVectorsOfTheWrongLength() {
    // given
    Accumulator accumulator = new FedAvg().startAggregation(round, new float[] {1f, 2f});
    // when / then
    assertThrows(IllegalArgumentException.class, () -> accumulator.add(update("a", new float[] {1f}, 10)));
  }

  @Test
  void selectsAtLeastMinSitesReproducibly() {
    // given: fraction 0.2 of 5 sites would be 1, but min_sites is 2
    RoundContext context = new RoundContext("job-1", 3,
        JobSpec.parse(TestJobs.yaml(1, 2, 60).replace("fraction: 1.0", "fraction: 0.2")));
    List<String> sites = List.of("e", "d", "c", "b", "a");
    // when
    List<String> first = new FedAvg().configureTrain(context, sites);
    List<String> second = new FedAvg().configureTrain(context, sites);
    // then
    assertEquals(2, first.size());
    assertEquals(first, second);
  }

  @Test
  void metricsAreWeightedByExamples() {
    // given
    List<SiteReport> reports = List.of(
        new SiteReport("a", 100, 1.0, 0.5, 10, 1, "x"),
        new SiteReport("b", 300, 2.0, 0.9, 30, 1, "y"));
    // when
    RoundMetrics metrics = new FedAvg().aggregateEvaluate(round, reports);
    // then: loss (100*1 + 300*2)/400 = 1.75; accuracy (10*0.5 + 30*0.9)/40 = 0.8
    assertEquals(400, metrics.numExamples());
    assertEquals(1.75, metrics.trainLoss(), 1e-12);
    assertEquals(0.8, metrics.valAccuracy(), 1e-12);
  }

  private static SiteUpdate update(String site, float[] delta, long examples) {
    return new SiteUpdate(site, delta, examples, 0.5, 0.5, 10, 1.0, "sha");
  }
}
