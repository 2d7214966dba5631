package org.medfl.client.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.medfl.client.data.LabeledImages;
import org.medfl.common.job.JobSpec;
import org.medfl.common.job.ModelSpec;
import org.medfl.common.job.OptimizerSpec;
import org.medfl.common.metrics.EvaluationMetrics;
import org.medfl.common.model.ModelZoo;
import org.medfl.common.model.Parameters;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** {@link LocalTrainer#evaluateMetrics}: the full metrics of a model on the site's validation split. */
class MetricsOfLocalTrainerTest {

  private static LabeledImages data(int n) {
    int[] labels = new int[n];
    java.util.Arrays.setAll(labels, i -> i % 3);
    Nd4j.getRandom().setSeed(3);
    return new LabeledImages(Nd4j.rand(DataType.FLOAT, n, 1, 16, 16), labels, List.of("a", "b", "c"),
        Collections.nCopies(n, null));
  }

  private static JobSpec spec(double validationFraction) {
    return new JobSpec("metrics", new ModelSpec("cnn-niid", 16, 16, 1), List.of("a", "b", "c"), 1, 1, 1.0, 1, 8,
        new OptimizerSpec("sgd", 0.1), 60, 7, "fedavg", validationFraction, List.of());
  }

  @Test
  void metricsDescribeTheValidationSplitAndAgreeWithAccuracy() {
    // given 30 images, 10 of them held out
    JobSpec spec = spec(1 / 3.0);
    var trainer = new LocalTrainer(spec, data(30));
    float[] params = Parameters.copyOut(ModelZoo.network(spec), null);

    // when
    EvaluationMetrics m = trainer.evaluateMetrics(params);

    // then
    assertEquals(10, m.examples());
    assertEquals(10, m.confusion().total());
    assertEquals(3, m.classes());
    assertEquals(trainer.evaluate(params), m.accuracy(), 1e-12);
    assertTrue(Double.isNaN(m.auc()) || (m.auc() >= 0 && m.auc() <= 1), "auc " + m.auc());
  }

  @Test
  void emptyValidationSplitGivesEmptyMetrics() {
    // given
    JobSpec spec = spec(0);
    var trainer = new LocalTrainer(spec, data(6));

    // when
    EvaluationMetrics m = trainer.evaluateMetrics(Parameters.copyOut(ModelZoo.network(spec), null));

    // then
    assertEquals(EvaluationMetrics.empty(3), m);
  }
}
