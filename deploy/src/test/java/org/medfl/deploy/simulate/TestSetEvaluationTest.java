package org.medfl.deploy.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.medfl.client.data.LabeledImages;
import org.medfl.common.job.JobSpec;
import org.medfl.common.metrics.ConfusionMatrix;
import org.medfl.common.model.ModelZoo;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class TestSetEvaluationTest {

  static final JobSpec SPEC = JobSpec.demo(List.of("a", "b", "c"));

  /** 7 random 28x28 images: three of class a, one of b, three of c. */
  static LabeledImages images() {
    int[] labels = {0, 2, 1, 0, 2, 2, 0};
    Nd4j.getRandom().setSeed(3);
    return new LabeledImages(Nd4j.rand(DataType.FLOAT, labels.length, 1, 28, 28), labels, SPEC.classes(),
        Collections.nCopies(labels.length, null));
  }

  /**
   * With every weight 0 the output is the softmax of the output layer's biases, the last entries of the flat
   * parameters in DL4J's order, whatever the image; so the class with the largest bias is every prediction.
   */
  static float[] predictingAlways(int cls) {
    float[] params = new float[Math.toIntExact(ModelZoo.parameterCount(SPEC))];
    params[params.length - SPEC.classes().size() + cls] = 5f;
    return params;
  }

  @Test
  void modelThatAlwaysSaysCGetsExactlyTheCImagesRight() {
    ConfusionMatrix confusion = TestSetEvaluation.confusion(SPEC, predictingAlways(2), images());

    assertEquals(7, confusion.total());
    assertEquals(3, confusion.count(0, 2));
    assertEquals(1, confusion.count(1, 2));
    assertEquals(3, confusion.count(2, 2));
    assertEquals(1.0, confusion.recall(2));
    assertEquals(0.0, confusion.recall(0));
    assertEquals(3.0 / 7, TestSetEvaluation.accuracy(SPEC, predictingAlways(2), images()), 1e-12);
    assertEquals(1.0 / 7, TestSetEvaluation.accuracy(SPEC, predictingAlways(1), images()), 1e-12);
  }

  @Test
  void accuracyOfAnEmptyTestSetIsNaN() {
    var empty = new LabeledImages(Nd4j.create(DataType.FLOAT, 0, 1, 28, 28), new int[0], SPEC.classes(), List.of());

    assertEquals(Double.NaN, TestSetEvaluation.accuracy(SPEC, predictingAlways(0), empty));
  }
}
