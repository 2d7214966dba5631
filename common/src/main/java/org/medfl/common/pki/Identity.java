package org.medfl.common.pki;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * A participant's name, role, certificate and the private key that goes with it.
 *
 * @param name the participant name, also the certificate CN
 * @param role the role, also the certificate OU
 * @param certificate the leaf certificate issued by the consortium CA
 * @param privateKey the key matching {@code certificate}'s public key
 */
public record Identity(String name, Role role, X509Certificate certificate, PrivateKey privateKey) {

  /** Rejects nulls so that a half-built identity fails here rather than in a TLS handshake. */
  public Identity {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(privateKey, "privateKey");
  }

  /** Keeps the private key out of logs and exception messages. */
  @Override
  public String toString() {
    return "Identity[" + role.certValue() + " " + name + "]";
  }
}
