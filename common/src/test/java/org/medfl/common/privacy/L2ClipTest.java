package org.medfl.common.privacy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class L2ClipTest {

  @Test
  void vectorWithinTheNormIsLeftAlone() {
    // given: norm 5
    float[] v = {3f, 4f};

    // when
    double factor = L2Clip.clipInPlace(v, 5.0);

    // then
    assertEquals(1.0, factor);
    assertArrayEquals(new float[] {3f, 4f}, v);
  }

  @Test
  void longVectorIsScaledDownToTheNormKeepingItsDirection() {
    // given: norm 10
    float[] v = {6f, -8f};

    // when
    double factor = L2Clip.clipInPlace(v, 1.0);

    // then
    assertEquals(0.1, factor, 1e-7);
    assertArrayEquals(new float[] {0.6f, -0.8f}, v, 1e-6f);
    assertTrue(L2Clip.norm(v) <= 1.0);
  }

  @Test
  void clippedNormNeverExceedsTheBoundAfterRoundingToFloat() {
    // given: a million coordinates, where float rounding of each product could push the sum over the bound
    var rng = new Random(7);
    for (int trial = 0; trial < 5; trial++) {
      float[] v = new float[1_000_000];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (rng.nextGaussian() * 1e-2);
      }
      double maxNorm = 0.1 + trial * 0.37;

      // when
      double factor = L2Clip.clipInPlace(v, maxNorm);

      // then
      assertTrue(factor < 1.0);
      assertTrue(L2Clip.norm(v) <= maxNorm, L2Clip.norm(v) + " > " + maxNorm);
      assertEquals(maxNorm, L2Clip.norm(v), maxNorm * 1e-5);
    }
  }

  @Test
  void vectorHoldingNaNIsRejected() {
    // given
    float[] v = {1f, Float.NaN};

    // when / then
    assertThrows(IllegalArgumentException.class, () -> L2Clip.clipInPlace(v, 1.0));
  }
}
