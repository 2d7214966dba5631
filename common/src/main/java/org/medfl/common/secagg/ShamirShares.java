package org.medfl.common.secagg;

import com.codahale.shamir.Scheme;
import java.security.SecureRandom;
import java.util.Map;

/**
 * T-of-N Shamir secret sharing (Shamir 1979) of 32-byte secrets, byte by byte over GF(256) with com.codahale:shamir:
 * any T shares give the secret, fewer give no information about it. The x-coordinate of a share is the holder's
 * 1-based position among the round's sites in name order, which is why a round has at most 255 sites.
 */
final class ShamirShares {
  private ShamirShares() {}

  /** Shares of {@code secret} for holders 1..n, any {@code threshold} of which recover it. */
  static Map<Integer, byte[]> split(SecureRandom random, int n, int threshold, byte[] secret) {
    return new Scheme(random, n, threshold).split(secret);
  }

  /**
   * The secret from shares keyed by x-coordinate. The caller checks that there are at least T: with fewer the result
   * is a random-looking wrong value, not an error.
   */
  static byte[] join(int n, int threshold, Map<Integer, byte[]> shares) {
    return new Scheme(new SecureRandom(), n, threshold).join(shares);
  }
}
