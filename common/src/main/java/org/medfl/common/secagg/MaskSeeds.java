package org.medfl.common.secagg;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The seeds of the masks, computed the same way by a site when it masks and by the server when it unmasks: the self
 * mask from b, the pairwise mask of u and v from X25519(s_u, s_v), and who adds and who subtracts a pairwise mask.
 */
final class MaskSeeds {
  private MaskSeeds() {}

  /** The PRG seed of site's self mask, from its seed b. */
  static byte[] self(byte[] b, String jobId, int round, String site) {
    return Kdf.derive(b, Kdf.info("self-mask", jobId, round, site));
  }

  /** The PRG seed shared by sites u and v; symmetric in (u, v). */
  static byte[] pair(byte[] sPrivate, byte[] peerSPublic, String jobId, int round, String u, String v) {
    boolean uFirst = u.compareTo(v) < 0;
    return Kdf.derive(X25519Keys.agree(sPrivate, peerSPublic),
        Kdf.info("pairwise-mask", jobId, round, uFirst ? u : v, uFirst ? v : u));
  }

  /** Whether u adds (rather than subtracts) the mask it shares with v: the site whose name sorts first adds. */
  static boolean adds(String u, String v) {
    return u.compareTo(v) < 0;
  }

  /** SHA-256 over job, round, site and b: the commitment a site publishes to its self-mask seed. */
  static byte[] commitment(byte[] b, String jobId, int round, String site) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(Kdf.info("self-mask-commitment", jobId, round, site));
      return sha.digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no SHA-256", e);
    }
  }
}
