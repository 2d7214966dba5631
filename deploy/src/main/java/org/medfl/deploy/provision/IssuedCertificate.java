package org.medfl.deploy.provision;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Objects;
import org.medfl.common.pki.EcKeys;
import org.medfl.common.pki.Peer;
import org.medfl.common.pki.Revocation;
import org.medfl.common.pki.Role;

/**
 * One line of the CA's index of issued certificates: what was issued to whom, and whether it was revoked.
 *
 * @param serial the certificate's serial number, what a CRL names
 * @param name the participant (CN)
 * @param role the role (OU)
 * @param notBefore start of validity
 * @param notAfter end of validity
 * @param keyFingerprint {@link EcKeys#fingerprint} of the certified key, to refuse certifying a key twice
 * @param revokedAt when it was revoked; null while it is not
 * @param reason why it was revoked; null while it is not
 */
public record IssuedCertificate(BigInteger serial, String name, Role role, Instant notBefore, Instant notAfter,
    String keyFingerprint, Instant revokedAt, Revocation.Reason reason) {

  /** Rejects nulls, and a revocation time without a reason or the other way round. */
  public IssuedCertificate {
    Objects.requireNonNull(serial, "serial");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(notBefore, "notBefore");
    Objects.requireNonNull(notAfter, "notAfter");
    Objects.requireNonNull(keyFingerprint, "keyFingerprint");
    if ((revokedAt == null) != (reason == null)) {
      throw new IllegalArgumentException("a revocation needs both its time and its reason");
    }
  }

  /** The index line for a certificate just issued. */
  public static IssuedCertificate of(X509Certificate certificate) {
    Peer peer = Peer.of(certificate);
    return new IssuedCertificate(certificate.getSerialNumber(), peer.name(), peer.role(),
        certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant(),
        EcKeys.fingerprint(certificate.getPublicKey()), null, null);
  }

  /** Whether the CA revoked it. */
  public boolean revoked() {
    return revokedAt != null;
  }

  /** This certificate revoked at {@code at} for {@code why}. */
  public IssuedCertificate revoke(Instant at, Revocation.Reason why) {
    return new IssuedCertificate(serial, name, role, notBefore, notAfter, keyFingerprint, at, why);
  }

  /** The serial as lowercase hex, as {@code fl provision list} shows it and {@code revoke --serial} takes it. */
  public String serialHex() {
    return serial.toString(16);
  }

  /** "valid", "expired" or "revoked (superseded) 2025-01-02T03:04:05Z" as of {@code now}. */
  public String status(Instant now) {
    if (revoked()) {
      return "revoked (" + reason.value() + ") " + revokedAt;
    }
    return now.isAfter(notAfter) ? "expired" : "valid";
  }
}
