package org.medfl.common.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/** {@link EvaluationMetrics}: from probabilities, and combined over sites. */
class MetricsTest {

  private static final double EPS = 1e-12;

  // Site A, 2 classes, 4 examples; predictions are the argmax: 1, 0, 1, 0
  //   labels 1, 1, 0, 0 -> TP 1, FN 1, FP 1, TN 1: matrix [[1, 1], [1, 1]], accuracy 0.5
  //   AUC (class 1 scores 0.9, 0.4 | 0.6, 0.2): 0.9 beats both, 0.4 beats 0.2 only -> 3/4
  private static final int[] LABELS_A = {1, 1, 0, 0};
  private static final float[][] P_A = {{0.1f, 0.9f}, {0.6f, 0.4f}, {0.4f, 0.6f}, {0.8f, 0.2f}};

  // Site B, 2 examples, both of class 1, both right: matrix [[0, 0], [0, 2]], AUC NaN (no negatives)
  private static final int[] LABELS_B = {1, 1};
  private static final float[][] P_B = {{0.3f, 0.7f}, {0.2f, 0.8f}};

  @Test
  void metricsFromProbabilities() {
    // when
    var m = EvaluationMetrics.of(LABELS_A, P_A);

    // then
    assertEquals(4, m.examples());
    assertEquals(0.5, m.accuracy(), EPS);
    assertArrayEquals(new long[][] {{1, 1}, {1, 1}}, m.confusion().counts());
    assertEquals(List.of(0.5, 0.5), m.precision());
    assertEquals(List.of(0.5, 0.5), m.recall());
    assertEquals(List.of(0.5, 0.5), m.specificity());
    assertEquals(List.of(0.5, 0.5), m.f1());
    assertEquals(0.75, m.auc(), EPS);
  }

  @Test
  void indArrayInputGivesTheSameMetrics() {
    // when
    var fromArray = EvaluationMetrics.of(LABELS_A, Nd4j.createFromArray(P_A));

    // then
    assertEquals(EvaluationMetrics.of(LABELS_A, P_A), fromArray);
  }

  @Test
  void aucIsNaNWhenTheSiteLacksAClass() {
    // when
    var m = EvaluationMetrics.of(LABELS_B, P_B);

    // then
    assertEquals(Double.NaN, m.auc());
    assertEquals(1.0, m.accuracy(), EPS);
    assertEquals(Double.NaN, m.recall().get(0)); // no example of class 0
  }

  @Test
  void weightedMeanSumsMatricesAndWeightsAucByExamples() {
    // given
    var a = EvaluationMetrics.of(LABELS_A, P_A);
    var b = EvaluationMetrics.of(LABELS_B, P_B);
    var c = EvaluationMetrics.of(new int[] {0, 1}, new float[][] {{0.6f, 0.4f}, {0.7f, 0.3f}});
    // site C: predictions 0, 0 -> matrix [[1, 0], [1, 0]]; AUC: class-1 score 0.3 below 0.4 -> 0

    // when
    var all = EvaluationMetrics.weightedMean(List.of(a, b, c));

    // then: [[1, 1], [1, 1]] + [[0, 0], [0, 2]] + [[1, 0], [1, 0]] = [[2, 1], [2, 3]]
    assertArrayEquals(new long[][] {{2, 1}, {2, 3}}, all.confusion().counts());
    assertEquals(8, all.examples());
    assertEquals(5 / 8.0, all.accuracy(), EPS); // = (4*0.5 + 2*1 + 2*0.5) / 8, the example-weighted mean
    assertEquals(3 / 4.0, all.precision().get(1), EPS); // pooled: 3 / (3 + 1)
    assertEquals(3 / 5.0, all.recall().get(1), EPS); // pooled: 3 / (3 + 2)
    // AUC over the sites where it is defined: (4*0.75 + 2*0) / (4 + 2) = 0.5; site B (NaN) is left out
    assertEquals(0.5, all.auc(), EPS);
  }

  @Test
  void emptyMetricsAreNaN() {
    // when
    var m = EvaluationMetrics.empty(3);

    // then
    assertEquals(0, m.examples());
    assertEquals(Double.NaN, m.accuracy());
    assertEquals(Double.NaN, m.auc());
    assertEquals(3, m.classes());
  }
}
