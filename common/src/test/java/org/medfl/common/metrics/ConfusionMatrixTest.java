package org.medfl.common.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {

  private static final double EPS = 1e-12;

  @Test
  void twoClassCountsAndMetrics() {
    // given 4 positives (class 1) and 6 negatives (class 0):
    //   TP = 3 (1->1), FN = 1 (1->0), FP = 2 (0->1), TN = 4 (0->0); rows are true classes: [[4, 2], [1, 3]]
    int[] labels = {1, 1, 1, 1, 0, 0, 0, 0, 0, 0};
    int[] predicted = {1, 1, 1, 0, 1, 1, 0, 0, 0, 0};

    // when
    var m = ConfusionMatrix.of(labels, predicted, 2);

    // then
    assertArrayEquals(new long[][] {{4, 2}, {1, 3}}, m.counts());
    assertEquals(0.7, m.accuracy(), EPS); // (4 + 3) / 10
    assertEquals(3, m.truePositives(1));
    assertEquals(2, m.falsePositives(1));
    assertEquals(1, m.falseNegatives(1));
    assertEquals(4, m.trueNegatives(1));
    assertEquals(0.6, m.precision(1), EPS); // 3 / (3 + 2)
    assertEquals(0.75, m.recall(1), EPS); // 3 / (3 + 1)
    assertEquals(4 / 6.0, m.specificity(1), EPS); // 4 / (4 + 2)
    assertEquals(6 / 9.0, m.f1(1), EPS); // 2*3 / (2*3 + 2 + 1)
    assertEquals(0.8, m.precision(0), EPS); // 4 / (4 + 1)
    assertEquals(4 / 6.0, m.recall(0), EPS); // 4 / (4 + 2)
    assertEquals(0.75, m.specificity(0), EPS); // 3 / (3 + 1)
    assertEquals(8 / 11.0, m.f1(0), EPS); // 2*4 / (2*4 + 1 + 2)
    assertEquals(0.7, m.macroPrecision(), EPS); // (0.8 + 0.6) / 2
    assertEquals((4 / 6.0 + 0.75) / 2, m.macroRecall(), EPS); // 0.708333...
    assertEquals((8 / 11.0 + 6 / 9.0) / 2, m.macroF1(), EPS); // 0.696969...
  }

  @Test
  void threeClassCountsAndMetrics() {
    // given rows = true class, columns = predicted, 17 examples:
    //   [[5, 1, 0],
    //    [2, 3, 1],
    //    [0, 1, 4]]
    //   class 0: TP 5, FP 2+0 = 2, FN 1+0 = 1, TN 17-5-2-1 = 9
    //   class 1: TP 3, FP 1+1 = 2, FN 2+1 = 3, TN 17-3-2-3 = 9
    //   class 2: TP 4, FP 0+1 = 1, FN 0+1 = 1, TN 17-4-1-1 = 11
    int[] labels = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2};
    int[] predicted = {0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 2, 1, 2, 2, 2, 2};

    // when
    var m = ConfusionMatrix.of(labels, predicted, 3);

    // then
    assertArrayEquals(new long[][] {{5, 1, 0}, {2, 3, 1}, {0, 1, 4}}, m.counts());
    assertEquals(12 / 17.0, m.accuracy(), EPS); // (5 + 3 + 4) / 17
    assertEquals(5 / 7.0, m.precision(0), EPS);
    assertEquals(3 / 5.0, m.precision(1), EPS);
    assertEquals(4 / 5.0, m.precision(2), EPS);
    assertEquals(5 / 6.0, m.recall(0), EPS);
    assertEquals(3 / 6.0, m.recall(1), EPS);
    assertEquals(4 / 5.0, m.recall(2), EPS);
    assertEquals(9 / 11.0, m.specificity(0), EPS);
    assertEquals(9 / 11.0, m.specificity(1), EPS);
    assertEquals(11 / 12.0, m.specificity(2), EPS);
    assertEquals(10 / 13.0, m.f1(0), EPS); // 2*5 / (10 + 2 + 1)
    assertEquals(6 / 11.0, m.f1(1), EPS); // 2*3 / (6 + 2 + 3)
    assertEquals(8 / 10.0, m.f1(2), EPS); // 2*4 / (8 + 1 + 1)
    assertEquals((5 / 7.0 + 3 / 5.0 + 4 / 5.0) / 3, m.macroPrecision(), EPS);
    assertEquals((5 / 6.0 + 3 / 6.0 + 4 / 5.0) / 3, m.macroRecall(), EPS);
    assertEquals((9 / 11.0 + 9 / 11.0 + 11 / 12.0) / 3, m.macroSpecificity(), EPS);
    assertEquals((10 / 13.0 + 6 / 11.0 + 8 / 10.0) / 3, m.macroF1(), EPS);
  }

  @Test
  void macroAveragesLeaveOutAnAbsentClass() {
    // given class 2 neither occurs nor is predicted: [[1, 1, 0], [0, 2, 0], [0, 0, 0]]
    //   class 0: precision 1/1, recall 1/2, F1 2/(2+0+1) = 2/3, specificity 2/(2+0) = 1
    //   class 1: precision 2/3, recall 2/2, F1 4/(4+1+0) = 0.8, specificity 1/(1+1) = 0.5
    //   class 2: precision 0/0, recall 0/0, F1 0/0 -> NaN; specificity 4/(4+0) = 1 (defined)
    var m = ConfusionMatrix.of(new int[] {0, 0, 1, 1}, new int[] {0, 1, 1, 1}, 3);

    // when / then
    assertEquals(Double.NaN, m.precision(2));
    assertEquals(Double.NaN, m.recall(2));
    assertEquals(Double.NaN, m.f1(2));
    assertEquals(1.0, m.specificity(2), EPS);
    assertEquals((1 + 2 / 3.0) / 2, m.macroPrecision(), EPS); // 5/6, not 5/9
    assertEquals((0.5 + 1) / 2, m.macroRecall(), EPS);
    assertEquals((2 / 3.0 + 0.8) / 2, m.macroF1(), EPS);
    assertEquals((1 + 0.5 + 1) / 3, m.macroSpecificity(), EPS);
  }

  @Test
  void sitesMatricesAddUpToThePooledMatrix() {
    // given
    int[] labelsA = {0, 1, 1};
    int[] predictedA = {0, 0, 1};
    int[] labelsB = {1, 0, 0, 1};
    int[] predictedB = {1, 1, 0, 1};
    var a = ConfusionMatrix.of(labelsA, predictedA, 2);
    var b = ConfusionMatrix.of(labelsB, predictedB, 2);

    // when
    var sum = ConfusionMatrix.sum(List.of(a, b));

    // then: [[1, 0], [1, 1]] + [[1, 1], [0, 2]] = [[2, 1], [1, 3]]
    assertArrayEquals(new long[][] {{2, 1}, {1, 3}}, sum.counts());
    assertEquals(ConfusionMatrix.of(new int[] {0, 1, 1, 1, 0, 0, 1}, new int[] {0, 0, 1, 1, 1, 0, 1}, 2), sum);
    assertEquals(a.plus(b), sum);
  }

  @Test
  void emptyMatrixHasNaNRatios() {
    // when
    var m = ConfusionMatrix.empty(2);

    // then
    assertEquals(0, m.total());
    assertEquals(Double.NaN, m.accuracy());
    assertEquals(Double.NaN, m.macroRecall());
  }

  @Test
  void labelOutOfRangeIsRefused() {
    // when
    var e = assertThrows(IllegalArgumentException.class,
        () -> ConfusionMatrix.of(new int[] {0, 2}, new int[] {0, 1}, 2));

    // then
    assertEquals("label 2 is not a class index in [0, 2)", e.getMessage());
  }
}
