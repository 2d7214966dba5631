package org.medfl.common.privacy;

/**
 * Renyi-DP of one step of the Sampled Gaussian Mechanism: each record (here, each site) is included with probability
 * q, and Gaussian noise of standard deviation z times the L2 sensitivity is added to the sum. Follows Mironov, Talwar
 * and Zhang, "Renyi Differential Privacy of the Sampled Gaussian Mechanism" (arXiv:1908.10530), Section 3: the RDP at
 * order alpha is log(A_alpha)/(alpha-1), with A_alpha the alpha-th moment of the likelihood ratio of the mixture
 * (1-q)N(0,z^2) + qN(1,z^2) against N(0,z^2). Every sum is taken in log space, so A_alpha may exceed the double range.
 */
final class SampledGaussianRdp {
  /** A term this far below the running total (in natural log) no longer changes it in double precision. */
  private static final double NEGLIGIBLE = -40;
  private static final int MAX_TERMS = 1_000_000;

  private SampledGaussianRdp() {}

  /**
   * RDP of one step at order {@code alpha}.
   *
   * @param q sampling rate, in [0, 1]
   * @param z noise multiplier (noise standard deviation over sensitivity), positive
   * @param alpha Renyi order, greater than 1
   * @return epsilon of (alpha, epsilon)-RDP; 0 when q is 0
   */
  static double rdp(double q, double z, double alpha) {
    if (q == 0) {
      return 0;
    }
    if (q == 1) {
      // The plain Gaussian mechanism: D_alpha(N(1,z^2) || N(0,z^2)) = alpha / (2 z^2).
      return alpha / (2 * z * z);
    }
    double logA = alpha == Math.rint(alpha) && alpha <= Integer.MAX_VALUE
        ? logAIntegerOrder(q, z, (int) alpha)
        : logAFractionalOrder(q, z, alpha);
    return logA / (alpha - 1);
  }

  /**
   * A_alpha for integer alpha by the binomial expansion of ((1-q) + q * ratio)^alpha: the sum over k of
   * C(alpha,k) (1-q)^(alpha-k) q^k exp((k^2-k)/(2 z^2)). Every term is positive.
   */
  static double logAIntegerOrder(double q, double z, int alpha) {
    double logQ = Math.log(q);
    double log1mQ = Math.log1p(-q);
    double logBinom = 0; // log C(alpha, 0)
    double logA = Double.NEGATIVE_INFINITY;
    for (int k = 0; k <= alpha; k++) {
      if (k > 0) {
        logBinom += Math.log(alpha - k + 1) - Math.log(k);
      }
      double term = logBinom + (alpha - k) * log1mQ + k * logQ + (k * (double) k - k) / (2 * z * z);
      logA = logAdd(logA, term);
    }
    return logA;
  }

  /**
   * A_alpha for fractional alpha (Section 3.3 of the paper): split the integral where the two mixture components
   * cross, at x0 = z^2 log(1/q - 1) + 1/2, and expand the binomial power on each side in the direction that
   * converges. The binomial coefficients of a fractional alpha change sign past alpha, so positive and negative terms
   * are summed separately in log space and subtracted once at the end.
   */
  static double logAFractionalOrder(double q, double z, double alpha) {
    double logQ = Math.log(q);
    double log1mQ = Math.log1p(-q);
    double x0 = z * z * Math.log(1 / q - 1) + 0.5;
    double sqrt2z = Math.sqrt(2) * z;
    double logHalf = Math.log(0.5);
    double positive = Double.NEGATIVE_INFINITY;
    double negative = Double.NEGATIVE_INFINITY;
    double logAbsBinom = 0; // log |C(alpha, 0)|
    boolean binomNegative = false;
    for (int i = 0; i < MAX_TERMS; i++) {
      if (i > 0) {
        double factor = (alpha - i + 1) / i;
        if (factor == 0) {
          break; // an integer alpha: every later coefficient is zero
        }
        logAbsBinom += Math.log(Math.abs(factor));
        binomNegative ^= factor < 0;
      }
      double j = alpha - i;
      // Left of x0: C(alpha,i) (1-q)^(alpha-i) q^i E_{N(0,z^2)}[ratio^i ; x <= x0].
      double left = logAbsBinom + j * log1mQ + i * logQ + (i * (double) i - i) / (2 * z * z)
          + logHalf + Erfc.logErfc((i - x0) / sqrt2z);
      // Right of x0: C(alpha,i) q^(alpha-i) (1-q)^i E_{N(0,z^2)}[ratio^(alpha-i) ; x > x0].
      double right = logAbsBinom + j * logQ + i * log1mQ + (j * j - j) / (2 * z * z)
          + logHalf + Erfc.logErfc((x0 - j) / sqrt2z);
      double both = logAdd(left, right);
      if (binomNegative) {
        negative = logAdd(negative, both);
      } else {
        positive = logAdd(positive, both);
      }
      double total = Math.max(positive, negative);
      // Past alpha the coefficients alternate in sign and shrink like i^(-alpha-1). The left terms never grow
      // otherwise (erfc(y) < exp(-y^2)/(y sqrt(pi)) bounds their slope by 0), and the right ones stop growing once
      // i > alpha - x0; from there on a negligible term means a negligible rest.
      if (i > alpha + 1 && i > alpha - x0 && both < total + NEGLIGIBLE) {
        break;
      }
    }
    return logSub(positive, negative);
  }

  static double logAdd(double a, double b) {
    double hi = Math.max(a, b);
    double lo = Math.min(a, b);
    if (lo == Double.NEGATIVE_INFINITY) {
      return hi;
    }
    return hi + Math.log1p(Math.exp(lo - hi));
  }

  /** log(exp(a) - exp(b)) for a >= b. */
  static double logSub(double a, double b) {
    if (b == Double.NEGATIVE_INFINITY) {
      return a;
    }
    if (b > a) {
      throw new ArithmeticException("log-space subtraction would go negative: " + a + " - " + b);
    }
    if (a == b) {
      return Double.NEGATIVE_INFINITY;
    }
    return a + Math.log(-Math.expm1(b - a));
  }
}
