package org.medfl.common.privacy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class GaussianNoiseTest {

  @Test
  void centralModeLeavesAllTheNoiseToTheCoordinator() {
    // given
    double z = 1.1;
    double clip = 2.0;

    // when
    double site = GaussianNoise.siteSigma(z, clip, 5, GaussianNoise.CENTRAL);
    double coordinator = GaussianNoise.coordinatorSigma(z, clip, GaussianNoise.CENTRAL);

    // then
    assertEquals(0.0, site);
    assertEquals(2.2, coordinator, 1e-12);
  }

  @Test
  void distributedSharesAddUpToTheFullVarianceOnTheSum() {
    // given
    double z = 1.1;
    double clip = 2.0;
    int sites = 7;

    // when
    double site = GaussianNoise.siteSigma(z, clip, sites, GaussianNoise.DISTRIBUTED);
    double coordinator = GaussianNoise.coordinatorSigma(z, clip, GaussianNoise.DISTRIBUTED);

    // then: n independent N(0, s^2) sum to N(0, n s^2) = N(0, (z clip)^2)
    assertEquals(z * clip * z * clip, sites * site * site, 1e-12);
    assertEquals(0.0, coordinator);
  }

  @Test
  void sumOfDistributedNoiseHasTheCentralStandardDeviation() {
    // given: seeded, so the sample statistics are fixed; 200k draws put the sample's own error near 0.2%
    int sites = 4;
    double sigma = GaussianNoise.siteSigma(1.0, 1.5, sites, GaussianNoise.DISTRIBUTED);
    var rng = new Random(42);
    float[] sum = new float[200_000];

    // when
    for (int s = 0; s < sites; s++) {
      float[] update = new float[sum.length];
      GaussianNoise.addInPlace(update, sigma, rng);
      for (int i = 0; i < sum.length; i++) {
        sum[i] += update[i];
      }
    }

    // then
    double mean = 0;
    double squares = 0;
    for (float x : sum) {
      mean += x;
      squares += (double) x * x;
    }
    mean /= sum.length;
    double std = Math.sqrt(squares / sum.length - mean * mean);
    assertEquals(0.0, mean, 0.02);
    assertEquals(1.5, std, 1.5 * 0.01);
  }

  @Test
  void zeroSigmaChangesNothing() {
    // given
    float[] v = {1f, 2f};

    // when
    GaussianNoise.addInPlace(v, 0.0, new Random(1));

    // then
    assertArrayEquals(new float[] {1f, 2f}, v);
  }

  @Test
  void unknownModeIsRejected() {
    // given / when / then
    assertThrows(IllegalArgumentException.class, () -> GaussianNoise.siteSigma(1.0, 1.0, 3, "local"));
    assertThrows(IllegalArgumentException.class, () -> GaussianNoise.coordinatorSigma(1.0, 1.0, null));
  }
}
