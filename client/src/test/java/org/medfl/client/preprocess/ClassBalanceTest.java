package org.medfl.client.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClassBalanceTest {

  /** Four of class 0, one of class 1, two of class 2, none of class 3. */
  private static final int[] LABELS = {0, 2, 0, 1, 0, 2, 0};

  @Test
  void weightsAreInverseFrequencyWithMeanOneOverExamples() {
    // when
    double[] weights = ClassBalance.inverseFrequencyWeights(LABELS, 4);

    // then: N / (K * n_c) with N = 7 and K = 3 present classes; the absent class weighs 1
    assertArrayEquals(new double[] {7.0 / 12, 7.0 / 3, 7.0 / 6, 1}, weights, 1e-12);
    assertEquals(1.0, Arrays.stream(LABELS).mapToDouble(l -> weights[l]).average().orElseThrow(), 1e-12);
  }

  @Test
  void oversampledEpochHasMajorityCountOfEveryPresentClass() {
    // when
    int[] order = ClassBalance.oversampledOrder(LABELS, 4, new Random(5));

    // then: 3 present classes x 4, and every example at least once
    int[] counts = new int[4];
    boolean[] seen = new boolean[LABELS.length];
    for (int position : order) {
      counts[LABELS[position]]++;
      seen[position] = true;
    }
    assertArrayEquals(new int[] {4, 4, 4, 0}, counts);
    for (boolean s : seen) {
      assertEquals(true, s);
    }
  }

  @Test
  void oversamplingIsSeeded() {
    // when
    int[] a = ClassBalance.oversampledOrder(LABELS, 4, new Random(5));
    int[] b = ClassBalance.oversampledOrder(LABELS, 4, new Random(5));
    int[] c = ClassBalance.oversampledOrder(LABELS, 4, new Random(6));

    // then
    assertArrayEquals(a, b);
    assertFalse(Arrays.equals(a, c));
  }
}
