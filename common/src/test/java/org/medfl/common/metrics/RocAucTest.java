package org.medfl.common.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RocAucTest {

  private static final double EPS = 1e-12;

  @Test
  void perfectRankingIsOne() {
    // when
    double auc = RocAuc.binary(new double[] {0.1, 0.2, 0.8, 0.9}, new boolean[] {false, false, true, true});

    // then
    assertEquals(1.0, auc, EPS);
  }

  @Test
  void invertedRankingIsZero() {
    // when
    double auc = RocAuc.binary(new double[] {0.9, 0.8, 0.2, 0.1}, new boolean[] {false, false, true, true});

    // then
    assertEquals(0.0, auc, EPS);
  }

  @Test
  void tiesCountOneHalfThroughAverageRanks() {
    // given negatives 0.1, 0.4, 0.4 and positives 0.4, 0.9
    //   pairs (positive, negative): 0.4>0.1: 1, 0.4=0.4: 1/2, 0.4=0.4: 1/2, 0.9 beats all three: 3 -> 5 of 6
    //   ranks: 0.1 -> 1, the three 0.4s share (2+3+4)/3 = 3, 0.9 -> 5; positive rank sum R = 3 + 5 = 8
    //   U = R - n+(n+ + 1)/2 = 8 - 3 = 5, AUC = U / (n+ * n-) = 5/6
    double[] scores = {0.4, 0.1, 0.9, 0.4, 0.4};
    boolean[] positive = {true, false, true, false, false};

    // when
    double auc = RocAuc.binary(scores, positive);

    // then
    assertEquals(5 / 6.0, auc, EPS);
  }

  @Test
  void allScoresTiedIsOneHalf() {
    // when
    double auc = RocAuc.binary(new double[] {0.3, 0.3, 0.3}, new boolean[] {true, false, false});

    // then
    assertEquals(0.5, auc, EPS);
  }

  @Test
  void missingClassGivesNaN() {
    // when
    double auc = RocAuc.binary(new double[] {0.3, 0.7}, new boolean[] {true, true});

    // then
    assertEquals(Double.NaN, auc);
  }

  @Test
  void oneVsRestForThreeClasses() {
    // given labels 0, 1, 2, 2 and their class probabilities
    //   class 0 scores 0.7 | 0.3 0.1 0.4: the positive beats all 3 negatives       -> 1
    //   class 1 scores 0.5 | 0.2 0.3 0.4: the positive beats all 3 negatives       -> 1
    //   class 2 scores 0.6 0.2 | 0.1 0.2: 0.6 beats both, 0.2 beats 0.1, ties 0.2 -> (2 + 1 + 1/2) / 4 = 0.875
    int[] labels = {0, 1, 2, 2};
    float[][] p = {{0.7f, 0.2f, 0.1f}, {0.3f, 0.5f, 0.2f}, {0.1f, 0.3f, 0.6f}, {0.4f, 0.4f, 0.2f}};

    // when
    double[] perClass = RocAuc.oneVsRest(labels, p);
    double macro = RocAuc.macroOneVsRest(labels, p);

    // then
    assertArrayEquals(new double[] {1, 1, 0.875}, perClass, EPS);
    assertEquals((1 + 1 + 0.875) / 3, macro, EPS);
  }

  @Test
  void macroIsNaNWhenAClassIsAbsent() {
    // given no example of class 2
    int[] labels = {0, 1};
    float[][] p = {{0.7f, 0.2f, 0.1f}, {0.3f, 0.5f, 0.2f}};

    // when / then
    assertEquals(Double.NaN, RocAuc.macroOneVsRest(labels, p));
  }
}
