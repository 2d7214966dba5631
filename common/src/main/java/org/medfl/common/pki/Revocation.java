package org.medfl.common.pki;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import org.bouncycastle.asn1.x509.CRLReason;

/**
 * One entry of a certificate revocation list.
 *
 * @param serial the revoked certificate's serial number
 * @param revokedAt when the CA revoked it
 * @param reason why, as written into the CRL entry
 */
public record Revocation(BigInteger serial, Instant revokedAt, Reason reason) {

  /** Rejects nulls. */
  public Revocation {
    Objects.requireNonNull(serial, "serial");
    Objects.requireNonNull(revokedAt, "revokedAt");
    Objects.requireNonNull(reason, "reason");
  }

  /** The reasons MedFL writes; RFC 5280 has more, which relying parties treat alike anyway. */
  public enum Reason {
    /** Revoked without a stated reason, e.g. a site that left the consortium or lost control of its key. */
    UNSPECIFIED(CRLReason.unspecified),
    /** Replaced by a newer certificate for the same participant (key rotation). */
    SUPERSEDED(CRLReason.superseded);

    private final int crlReason;

    Reason(int crlReason) {
      this.crlReason = crlReason;
    }

    /** The RFC 5280 reasonCode value. */
    public int crlReason() {
      return crlReason;
    }

    /** The lowercase name used in index files and messages, e.g. "superseded". */
    public String value() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The reason named {@code value} in an index file.
     *
     * @throws IllegalArgumentException naming {@code value} when it is not a reason
     */
    public static Reason fromValue(String value) {
      for (Reason reason : values()) {
        if (reason.value().equals(value)) {
          return reason;
        }
      }
      throw new IllegalArgumentException(
          "'" + value + "' is not a revocation reason; expected unspecified or superseded");
    }
  }
}
