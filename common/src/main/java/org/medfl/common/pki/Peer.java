package org.medfl.common.pki;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * Who is on the other end of a connection, as stated by its verified certificate.
 *
 * @param name the certificate CN
 * @param role the role in the certificate OU
 */
public record Peer(String name, Role role) {

  /** Rejects nulls. */
  public Peer {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(role, "role");
  }

  /**
   * The participant named by a certificate's subject (CN = name, OU = role).
   *
   * @throws PkiException if the CN or OU is missing or the OU is not a role
   */
  public static Peer of(X509Certificate certificate) {
    String subject = certificate.getSubjectX500Principal().getName();
    String name = SubjectNames.first(certificate, BCStyle.CN)
        .orElseThrow(() -> new PkiException("certificate " + subject + " has no CN (participant name)"));
    String role = SubjectNames.first(certificate, BCStyle.OU)
        .orElseThrow(() -> new PkiException("certificate " + subject + " has no OU (role)"));
    try {
      return new Peer(name, Role.fromCertValue(role));
    } catch (IllegalArgumentException e) {
      throw new PkiException("certificate " + subject + ": " + e.getMessage(), e);
    }
  }

  /**
   * The participant at the other end of a TLS session whose certificate chain the handshake verified.
   *
   * <p>Empty when there is no session, the peer sent no certificate, or the certificate names no MedFL role:
   * callers treat all three as "not authenticated".
   */
  public static Optional<Peer> fromSslSession(SSLSession session) {
    if (session == null) {
      return Optional.empty();
    }
    Certificate[] chain;
    try {
      chain = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
    if (chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
      return Optional.empty();
    }
    try {
      return Optional.of(of(leaf));
    } catch (PkiException e) {
      return Optional.empty();
    }
  }
}
