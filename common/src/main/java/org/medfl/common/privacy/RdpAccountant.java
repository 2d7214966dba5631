package org.medfl.common.privacy;

import java.util.Arrays;

/**
 * Tracks the (epsilon, delta) guarantee of repeated rounds of the Sampled Gaussian Mechanism with Renyi differential
 * privacy (Mironov, "Renyi Differential Privacy", CSF 2017): RDP composes by addition at each order, so T rounds cost
 * T times one round's RDP, and the best order gives the smallest epsilon for the delta asked.
 *
 * <p>One round's RDP comes from {@link SampledGaussianRdp} (Mironov, Talwar and Zhang, arXiv:1908.10530), exact at
 * integer orders and by their convergent series at fractional ones. RDP becomes (epsilon, delta)-DP with the
 * conversion of Balle, Barthe, Gaboardi, Hsu and Sato, "Hypothesis Testing Interpretations and Renyi Differential
 * Privacy" (AISTATS 2020, Theorem 21), as current Opacus and TF Privacy do:
 * epsilon = rdp + log((alpha-1)/alpha) - (log(delta) + log(alpha))/(alpha-1). It is never larger than the classic
 * rdp - log(delta)/(alpha-1) of Mironov 2017, Proposition 3.
 *
 * <p>The sampling rate is the probability that a site takes part in a round. The amplification it buys assumes each
 * site is included independently with that probability and that who was picked stays hidden; pass q = 1 when that
 * does not hold.
 */
public final class RdpAccountant {
  /** Orders tried: 1.1 to 10.9 in steps of 0.1 (with 1.25 and 1.75), 11 to 64, then 128, 256 and 512. */
  static final double[] ORDERS = orders();

  private final double q;
  private final double noiseMultiplier;
  private final double[] rdpPerStep;
  private int steps;

  /**
   * An accountant that has spent nothing yet.
   *
   * @param q sampling rate: the probability that a site takes part in one round, in [0, 1]
   * @param noiseMultiplier standard deviation of the noise on the sum over the clip norm, positive
   */
  public RdpAccountant(double q, double noiseMultiplier) {
    this(q, noiseMultiplier, perStep(q, noiseMultiplier));
  }

  private RdpAccountant(double q, double noiseMultiplier, double[] rdpPerStep) {
    this.q = q;
    this.noiseMultiplier = noiseMultiplier;
    this.rdpPerStep = rdpPerStep;
  }

  /** Counts {@code rounds} more rounds (0 or more). */
  public void step(int rounds) {
    if (rounds < 0) {
      throw new IllegalArgumentException("rounds must be 0 or more, got " + rounds);
    }
    steps = Math.addExact(steps, rounds);
  }

  /** Rounds counted so far. */
  public int steps() {
    return steps;
  }

  /** The sampling rate this accountant was built with. */
  public double q() {
    return q;
  }

  /** The noise multiplier this accountant was built with. */
  public double noiseMultiplier() {
    return noiseMultiplier;
  }

  /**
   * The smallest epsilon such that the rounds so far are (epsilon, delta)-DP, over the orders tried; 0 before any
   * round.
   *
   * @param delta in (0, 1)
   */
  public double epsilon(double delta) {
    return epsilon(rdpPerStep, steps, delta);
  }

  /** Epsilon after {@code steps} rounds of sampling rate {@code q} and noise multiplier {@code z}. */
  public static double epsilonAfter(double q, double z, int steps, double delta) {
    var accountant = new RdpAccountant(q, z);
    accountant.step(steps);
    return accountant.epsilon(delta);
  }

  /**
   * The most rounds whose epsilon stays within {@code maxEpsilon}, so that a job can stop before it overspends; 0 when
   * even one round would exceed it, {@link Integer#MAX_VALUE} when no number of rounds would (q = 0).
   */
  public static int maxStepsWithin(double q, double z, double delta, double maxEpsilon) {
    if (!(maxEpsilon >= 0)) {
      throw new IllegalArgumentException("maxEpsilon must be 0 or more, got " + maxEpsilon);
    }
    double[] rdp = perStep(q, z);
    checkDelta(delta);
    if (epsilon(rdp, 1, delta) > maxEpsilon) {
      return 0;
    }
    // Epsilon never falls as rounds are added, so double until over the budget, then bisect.
    long within = 1;
    long over = 2;
    while (epsilon(rdp, over, delta) <= maxEpsilon) {
      if (over >= Integer.MAX_VALUE) {
        return Integer.MAX_VALUE;
      }
      within = over;
      over = Math.min(2 * over, Integer.MAX_VALUE);
    }
    while (over - within > 1) {
      long mid = (within + over) >>> 1;
      if (epsilon(rdp, mid, delta) <= maxEpsilon) {
        within = mid;
      } else {
        over = mid;
      }
    }
    return (int) within;
  }

  /** Epsilon by the classic conversion rdp - log(delta)/(alpha-1) (Mironov 2017, Proposition 3). */
  static double classicEpsilon(double q, double z, int steps, double delta) {
    checkDelta(delta);
    double[] rdp = perStep(q, z);
    if (steps == 0) {
      return 0;
    }
    double best = Double.POSITIVE_INFINITY;
    for (int i = 0; i < ORDERS.length; i++) {
      double alpha = ORDERS[i];
      best = Math.min(best, steps * rdp[i] - Math.log(delta) / (alpha - 1));
    }
    return Math.max(0, best);
  }

  private static double epsilon(double[] rdpPerStep, long steps, double delta) {
    checkDelta(delta);
    if (steps == 0) {
      return 0;
    }
    double logDelta = Math.log(delta);
    double best = Double.POSITIVE_INFINITY;
    for (int i = 0; i < ORDERS.length; i++) {
      double alpha = ORDERS[i];
      double eps = steps * rdpPerStep[i] + Math.log1p(-1 / alpha) - (logDelta + Math.log(alpha)) / (alpha - 1);
      best = Math.min(best, eps);
    }
    return Math.max(0, best);
  }

  private static double[] perStep(double q, double z) {
    if (!(q >= 0 && q <= 1)) {
      throw new IllegalArgumentException("sampling rate q must be between 0 and 1, got " + q);
    }
    if (!(z > 0) || Double.isInfinite(z)) {
      throw new IllegalArgumentException("noise multiplier must be a positive number, got " + z);
    }
    double[] rdp = new double[ORDERS.length];
    for (int i = 0; i < ORDERS.length; i++) {
      rdp[i] = SampledGaussianRdp.rdp(q, z, ORDERS[i]);
    }
    return rdp;
  }

  private static void checkDelta(double delta) {
    if (!(delta > 0 && delta < 1)) {
      throw new IllegalArgumentException("delta must be between 0 and 1 (exclusive), got " + delta);
    }
  }

  private static double[] orders() {
    var orders = new java.util.TreeSet<Double>();
    for (int tenths = 11; tenths <= 109; tenths++) {
      orders.add(tenths / 10.0);
    }
    orders.add(1.25);
    orders.add(1.75);
    for (int alpha = 11; alpha <= 64; alpha++) {
      orders.add((double) alpha);
    }
    orders.addAll(Arrays.asList(128.0, 256.0, 512.0));
    return orders.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
