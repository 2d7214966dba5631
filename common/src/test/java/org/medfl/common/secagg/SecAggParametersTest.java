package org.medfl.common.secagg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.medfl.common.job.SecureAggregationSpec;

class SecAggParametersTest {

  @Test
  void scaleIsTheLargestPowerOfTwoWithinTheHeadroom() {
    // given
    SecAggParameters params = SecAggParameters.of(new SecureAggregationSpec(13), 25, 0.5, 60_000);

    // when
    double scale = params.scale();

    // then
    double limit = Integer.MAX_VALUE;
    assertEquals(1.0, Math.abs(Math.scalb(scale, -Math.getExponent(scale))));
    assertTrue(25 * (60_000 * 0.5 * scale + 1) <= limit, "headroom exceeded at scale " + scale);
    assertTrue(25 * (60_000 * 0.5 * 2 * scale + 1) > limit, "scale " + scale + " could be doubled");
  }

  @Test
  void sumOfExtremeInputsDoesNotWrap() {
    // given: every site sends +clip (or -clip) at the largest weight, the worst case of the headroom formula
    int sites = 25;
    SecAggParameters params = new SecAggParameters(sites, 13, 2.0, 80_000);
    float[] high = new float[8];
    Arrays.fill(high, 1e9f);
    float[] low = new float[8];
    Arrays.fill(low, -1e9f);
    int[] sumHigh = new int[9];
    int[] sumLow = new int[9];
    SplittableRandom rounding = new SplittableRandom(5);

    // when
    for (int i = 0; i < sites; i++) {
      int[] qHigh = Quantizer.quantize(high, params.maxWeight(), params, rounding);
      int[] qLow = Quantizer.quantize(low, params.maxWeight(), params, rounding);
      for (int j = 0; j < 9; j++) {
        sumHigh[j] += qHigh[j];
        sumLow[j] += qLow[j];
      }
    }

    // then
    double exact = sites * 80_000 * 2.0;
    for (int j = 0; j < 8; j++) {
      assertEquals(exact, Quantizer.weightedSum(sumHigh, params)[j], params.quantizationErrorBound());
      assertEquals(-exact, Quantizer.weightedSum(sumLow, params)[j], params.quantizationErrorBound());
    }
    assertEquals(sites * 80_000L, Quantizer.totalWeight(sumHigh));
  }

  @Test
  void weightsThatCouldOverflowTheWeightSumAreRejected() {
    // given
    long tooHeavy = Integer.MAX_VALUE / 10 + 1;

    // when
    IllegalArgumentException rejected = assertThrows(IllegalArgumentException.class,
        () -> new SecAggParameters(10, 6, 1.0, tooHeavy));

    // then
    assertTrue(rejected.getMessage().startsWith("maxWeight must be between 1 and 214748364"), rejected.getMessage());
  }

  @Test
  void thresholdAboveTheNumberOfSitesIsRejected() {
    // when
    IllegalArgumentException rejected = assertThrows(IllegalArgumentException.class,
        () -> new SecAggParameters(4, 5, 1.0, 10));

    // then
    assertEquals("threshold must be between 2 and sites (4), got 5", rejected.getMessage());
  }
}
