package org.medfl.common.secagg;

import org.medfl.common.job.SecureAggregationSpec;

/**
 * The public parameters every site and the server of one round must agree on: derived only from public inputs, so
 * each party computes the same values, and bound into every signed key advertisement, so a party with different
 * parameters is detected in stage 1.
 *
 * <p>Arithmetic is modulo 2<sup>32</sup>. Site i sends {@code q_i = SR(w_i * clip(x_i) * scale)}, where SR is
 * stochastic rounding and {@code clip} clamps each coordinate to [-clip, clip]. Headroom: SR moves a value by less
 * than 1, so {@code |q_ij| <= W*C*scale + 1} with W the maximum weight and C the clip, and the sum over N sites is
 * at most {@code N*(W*C*scale + 1)}. {@link #scale()} is the largest power of two with
 * {@code N*(W*C*scale + 1) <= 2^31 - 1}, so the sum, read as a signed 32-bit integer, never wraps. The weight element
 * sums to at most {@code N*W}, which must also stay below 2<sup>31</sup>.
 *
 * @param sites N, the number of sites selected for the round (2 to 255: the Shamir field is GF(256))
 * @param threshold T, the fewest sites that must remain at every stage; 2 &lt;= T &lt;= N; T &gt; N/2 is advised,
 *     so that two disjoint halves can never both unmask
 * @param clip C &gt; 0, the bound each update coordinate is clamped to, in model-parameter units
 * @param maxWeight W &gt;= 1, the largest weight (example count) a site may send
 */
public record SecAggParameters(int sites, int threshold, double clip, long maxWeight) {
  /** The modulus is 2^MODULUS_BITS: Java int arithmetic wraps exactly there. */
  public static final int MODULUS_BITS = 32;

  private static final long SIGNED_MAX = Integer.MAX_VALUE;
  private static final int MAX_SITES = 255;

  /** Rejects parameters under which the sum could wrap or the shares could not be made. */
  public SecAggParameters {
    if (sites < 2 || sites > MAX_SITES) {
      throw new IllegalArgumentException("sites must be between 2 and " + MAX_SITES + ", got " + sites);
    }
    if (threshold < 2 || threshold > sites) {
      throw new IllegalArgumentException("threshold must be between 2 and sites (" + sites + "), got " + threshold);
    }
    if (!(clip > 0) || Double.isInfinite(clip)) {
      throw new IllegalArgumentException("clip must be positive and finite, got " + clip);
    }
    if (maxWeight < 1 || maxWeight > SIGNED_MAX / sites) {
      throw new IllegalArgumentException("maxWeight must be between 1 and " + SIGNED_MAX / sites + " for " + sites
          + " sites, so that the summed weights fit in 31 bits; got " + maxWeight);
    }
    if (!(((double) SIGNED_MAX / sites - 1) / (maxWeight * clip) >= 0x1p-60)) {
      throw new IllegalArgumentException("clip " + clip + " times maxWeight " + maxWeight + " is too large to quantize");
    }
  }

  /** Parameters for a job's secure aggregation section and the sites selected for one round. */
  public static SecAggParameters of(SecureAggregationSpec spec, int sites, double clip, long maxWeight) {
    return new SecAggParameters(sites, spec.threshold(), clip, maxWeight);
  }

  /** The modulus bits, always 32. */
  public int modulusBits() {
    return MODULUS_BITS;
  }

  /**
   * The fixed-point scale: the largest power of two s with {@code N*(W*C*s + 1) <= 2^31 - 1}. A power of two, so that
   * dequantizing divides exactly and every party computes the same double.
   */
  public double scale() {
    double largest = ((double) SIGNED_MAX / sites - 1) / (maxWeight * clip);
    return Math.scalb(1.0, Math.getExponent(largest));
  }

  /**
   * The most that any coordinate of the unmasked weighted sum can differ from the exact {@code sum_i w_i clip(x_i)}
   * because of quantization: each site's stochastic rounding is off by less than 1/scale.
   */
  public double quantizationErrorBound() {
    return sites / scale();
  }

  /** The canonical encoding, signed into every key advertisement. */
  byte[] toBytes() {
    return Wire.Writer.untagged().int32(MODULUS_BITS).int32(sites).int32(threshold).float64(clip).int64(maxWeight)
        .toBytes();
  }
}
