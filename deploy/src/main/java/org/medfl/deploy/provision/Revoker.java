package org.medfl.deploy.provision;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.medfl.common.pki.Revocation;

/**
 * {@code fl provision revoke}: marks a participant's certificates revoked in the CA's index and writes a new CRL
 * listing every revoked certificate, for the coordinator to honour.
 */
public final class Revoker {
  private Revoker() {}

  /**
   * What was revoked.
   *
   * @param revoked the index lines just revoked; empty when the CRL was only re-issued
   * @param crl the new CRL file
   * @param crlNumber its CRL number
   */
  public record Revoked(List<IssuedCertificate> revoked, Path crl, BigInteger crlNumber) {}

  /** Which of a participant's certificates to revoke. */
  public enum Scope {
    /** Every certificate of the participant not yet revoked: it leaves the consortium or lost its key. */
    ALL,
    /** Every one but the newest: the end of a key rotation, once the participant runs with its new certificate. */
    SUPERSEDED
  }

  /**
   * Revokes certificates of {@code name}: one serial, or {@code scope}.
   *
   * @param serialHex when not null, revoke only this certificate (hex, as {@code fl provision list} shows it)
   * @throws IllegalArgumentException naming the participant or serial when there is nothing to revoke
   */
  public static Revoked revoke(CaStore store, String name, String serialHex, Scope scope) {
    List<IssuedCertificate> issued = store.issuedTo(name);
    if (issued.isEmpty()) {
      throw new IllegalArgumentException("this CA never issued a certificate to '" + name
          + "'; fl provision list shows who it did");
    }
    List<IssuedCertificate> valid = issued.stream().filter(c -> !c.revoked()).toList();
    List<IssuedCertificate> targets;
    Revocation.Reason reason;
    if (serialHex != null) {
      BigInteger serial = parseSerial(serialHex);
      IssuedCertificate one = issued.stream().filter(c -> c.serial().equals(serial)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("--serial " + serialHex + " is not a certificate of '"
              + name + "'; fl provision list shows its serials"));
      if (one.revoked()) {
        throw new IllegalArgumentException("--serial " + serialHex + " is already revoked");
      }
      targets = List.of(one);
      reason = Revocation.Reason.UNSPECIFIED;
    } else if (scope == Scope.SUPERSEDED) {
      if (valid.size() < 2) {
        throw new IllegalArgumentException("--superseded: '" + name + "' has " + valid.size()
            + " certificate(s) in force, so none is superseded; rotate first (fl provision sign --rotate)");
      }
      targets = valid.subList(0, valid.size() - 1);
      reason = Revocation.Reason.SUPERSEDED;
    } else {
      if (valid.isEmpty()) {
        throw new IllegalArgumentException("every certificate of '" + name + "' is already revoked");
      }
      targets = valid;
      reason = Revocation.Reason.UNSPECIFIED;
    }
    // Whole seconds: a CRL holds no more, and the index should say what the CRL says.
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    List<IssuedCertificate> revoked = new ArrayList<>();
    for (IssuedCertificate certificate : targets) {
      revoked.add(certificate.revoke(now, reason));
    }
    store.recordRevoked(revoked);
    return new Revoked(revoked, store.crlFile(), store.crlNumber());
  }

  /** Writes a new CRL with the same revocations and the next number, e.g. before the current one is due. */
  public static Revoked reissue(CaStore store) {
    store.recordRevoked(List.of());
    return new Revoked(List.of(), store.crlFile(), store.crlNumber());
  }

  private static BigInteger parseSerial(String hex) {
    try {
      return new BigInteger(hex.replace(":", ""), 16);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--serial " + hex + " is not a hexadecimal serial number", e);
    }
  }
}
