package org.medfl.deploy.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.coordinator.job.JobStore;
import org.medfl.proto.v1.RoundSummary;

class RoundTestCurveTest {

  @TempDir
  Path dir;

  @Test
  void eachRoundIsEvaluatedFromItsOwnCheckpoint() {
    // given two committed rounds whose models predict a and b for every image, and 7 test images (3 a, 1 b, 3 c)
    JobStore store = new JobStore(dir.resolve("job"));
    String first = store.writeModel(1, TestSetEvaluationTest.predictingAlways(0));
    String second = store.writeModel(2, TestSetEvaluationTest.predictingAlways(1));
    var curve = new RoundTestCurve(TestSetEvaluationTest.SPEC, TestSetEvaluationTest.images(), store);

    // when
    double one = curve.evaluate(round(1, first));
    double two = curve.evaluate(round(2, second));

    // then
    assertEquals(3.0 / 7, one, 1e-12);
    assertEquals(1.0 / 7, two, 1e-12);
    assertEquals(Map.of(1, 3.0 / 7, 2, 1.0 / 7), curve.accuracies());
  }

  @Test
  void aCheckpointThatDoesNotMatchItsRoundIsRefused() {
    // given round 1's model, summarised with round 2's digest
    JobStore store = new JobStore(dir.resolve("job"));
    store.writeModel(1, TestSetEvaluationTest.predictingAlways(0));
    String other = store.writeModel(2, TestSetEvaluationTest.predictingAlways(1));
    var curve = new RoundTestCurve(TestSetEvaluationTest.SPEC, TestSetEvaluationTest.images(), store);

    // when / then
    var e = assertThrows(IllegalStateException.class, () -> curve.evaluate(round(1, other)));
    assertTrue(e.getMessage().contains("does not match its checkpoint"), e.getMessage());
    assertEquals(Map.of(), curve.accuracies());
  }

  private static RoundSummary round(int round, String sha256) {
    return RoundSummary.newBuilder().setRound(round).setModelSha256(sha256).build();
  }
}
