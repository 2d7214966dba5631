package org.medfl.common.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SampledGaussianRdpTest {

  @Test
  void fractionalSeriesAgreesWithBinomialExpansionAtIntegerOrders() {
    // given: the two-sided series of Section 3.3 must reduce to the finite sum of Section 3.2 when alpha is whole
    for (double q : new double[] {0.001, 0.01, 0.1, 0.5, 0.9}) {
      for (double z : new double[] {0.7, 1.1, 4.0}) {
        for (int alpha : new int[] {2, 3, 8, 32}) {
          // when
          double finite = SampledGaussianRdp.logAIntegerOrder(q, z, alpha);
          double series = SampledGaussianRdp.logAFractionalOrder(q, z, alpha);

          // then
          assertEquals(finite, series, Math.abs(finite) * 1e-9, "q=" + q + " z=" + z + " alpha=" + alpha);
        }
      }
    }
  }

  @Test
  void fractionalOrdersLieBetweenTheirIntegerNeighbours() {
    // given: RDP is non-decreasing in the order (van Erven and Harremoes 2014, Theorem 3)
    double q = 0.05;
    double z = 1.0;

    // when
    double below = SampledGaussianRdp.rdp(q, z, 3);
    double between = SampledGaussianRdp.rdp(q, z, 3.5);
    double above = SampledGaussianRdp.rdp(q, z, 4);

    // then
    assertTrue(below < between && between < above, below + " < " + between + " < " + above);
  }

  @Test
  void samplingRateNearOneApproachesThePlainGaussianMechanism() {
    // given: with q = 1 the mechanism is N(1, z^2) against N(0, z^2), whose Renyi divergence is alpha / (2 z^2)
    double z = 1.5;

    for (double alpha : new double[] {1.5, 2, 7.3, 20}) {
      // when
      double nearlyOne = SampledGaussianRdp.rdp(1 - 1e-9, z, alpha);

      // then
      assertEquals(alpha / (2 * z * z), nearlyOne, 1e-6, "alpha=" + alpha);
    }
  }

  @Test
  void samplingNobodyCostsNothing() {
    // given / when
    double rdp = SampledGaussianRdp.rdp(0, 1.0, 8);

    // then
    assertEquals(0.0, rdp);
  }
}
