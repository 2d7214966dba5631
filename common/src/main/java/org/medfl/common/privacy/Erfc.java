package org.medfl.common.privacy;

/**
 * The complementary error function and its logarithm, to near double precision; {@code java.lang.Math} has neither.
 * The logarithm stays finite far into the tail (erfc(40) is about 1e-697), where the accountant needs it.
 */
final class Erfc {
  private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
  private static final double LOG_SQRT_PI = 0.5 * Math.log(Math.PI);
  /** Below this the power series of erf is used, above it the continued fraction of erfc. */
  private static final double SERIES_LIMIT = 2.5;

  private Erfc() {}

  /** erfc(x) = 1 - erf(x). */
  static double erfc(double x) {
    if (Double.isNaN(x)) {
      return Double.NaN;
    }
    if (x < 0) {
      return 2 - erfc(-x);
    }
    if (x < SERIES_LIMIT) {
      return 1 - erfSeries(x);
    }
    return Math.exp(logErfcTail(x));
  }

  /** log(erfc(x)), finite for every finite x. */
  static double logErfc(double x) {
    if (Double.isNaN(x)) {
      return Double.NaN;
    }
    if (x < SERIES_LIMIT) {
      return Math.log(erfc(x));
    }
    return logErfcTail(x);
  }

  /**
   * erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (1*3*...*(2n+1)) (Abramowitz and Stegun 7.1.6): every term is
   * positive, so unlike the alternating Taylor series it loses no digits to cancellation.
   */
  private static double erfSeries(double x) {
    double term = x;
    double sum = x;
    double x2 = x * x;
    for (int n = 1; n < 500; n++) {
      term *= 2 * x2 / (2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) {
        break;
      }
    }
    return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  }

  /**
   * erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))) for x > 0 (Abramowitz and Stegun
   * 7.1.14), evaluated with the modified Lentz method; it converges quickly for x above 2.
   */
  private static double logErfcTail(double x) {
    double tiny = 1e-300;
    double f = x;
    double c = x;
    double d = 0;
    for (int n = 1; n < 10_000; n++) {
      double a = n / 2.0;
      d = x + a * d;
      d = Math.abs(d) < tiny ? tiny : d;
      c = x + a / c;
      c = Math.abs(c) < tiny ? tiny : c;
      d = 1 / d;
      double delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) {
        break;
      }
    }
    return -x * x - LOG_SQRT_PI - Math.log(f);
  }
}
