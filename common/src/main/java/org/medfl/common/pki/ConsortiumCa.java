package org.medfl.common.pki;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.medfl.common.crypto.Signatures;

/** The consortium's certificate authority: issues every participant's certificate and signs startup kits. */
public final class ConsortiumCa {
  static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
  private static final Duration CA_VALIDITY = Duration.ofDays(3653);
  private static final Duration LEAF_VALIDITY = Duration.ofDays(1096);
  // Backdating tolerates participants whose clocks run a little behind the provisioner's.
  private static final Duration BACKDATE = Duration.ofHours(1);
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern DNS_NAME =
      Pattern.compile("(?i)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\\.?");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String consortium;
  private final X509Certificate certificate;
  private final PrivateKey key;

  private ConsortiumCa(String consortium, X509Certificate certificate, PrivateKey key) {
    this.consortium = consortium;
    this.certificate = certificate;
    this.key = key;
  }

  /** A new self-signed CA for {@code consortium}, valid for 10 years. */
  public static ConsortiumCa create(String consortium) {
    ParticipantNames.requireValid(consortium);
    KeyPair pair = EcKeys.generate();
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, consortium)
        .addRDN(BCStyle.CN, consortium + " consortium CA")
        .build();
    Instant now = Instant.now();
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
              subject, serial(), Date.from(now.minus(BACKDATE)), Date.from(now.plus(CA_VALIDITY)), subject,
              pair.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false,
              extensions.createSubjectKeyIdentifier(pair.getPublic()));
      return new ConsortiumCa(consortium, sign(builder, pair.getPrivate()), pair.getPrivate());
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot create the CA certificate for " + consortium, e);
    }
  }

  /**
   * Loads a CA written by {@link #writeTo}.
   *
   * @throws PkiException if a file is missing or malformed, or the key does not belong to the certificate
   */
  public static ConsortiumCa load(Path caCertPem, Path caKeyPem) {
    X509Certificate certificate = Pem.readCertificate(caCertPem);
    PrivateKey key = Pem.readPrivateKey(caKeyPem);
    if (certificate.getBasicConstraints() < 0) {
      throw new PkiException(caCertPem + " is not a CA certificate (basicConstraints CA is not set)");
    }
    if (!keyMatches(key, certificate.getPublicKey())) {
      throw new PkiException(caKeyPem + " is not the private key of the CA certificate in " + caCertPem);
    }
    String consortium = SubjectNames.first(certificate, BCStyle.O)
        .orElseThrow(() -> new PkiException(caCertPem + " has no O (consortium) in its subject"));
    return new ConsortiumCa(consortium, certificate, key);
  }

  /** The CA's self-signed certificate, the trust anchor of every participant. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** The consortium name, the O of every certificate this CA issues. */
  public String consortium() {
    return consortium;
  }

  /**
   * Issues a 3-year certificate and key for a participant, usable as TLS client and server.
   *
   * @param name the participant name (CN); must match {@code [a-z0-9][a-z0-9-]{0,62}}
   * @param hostnames DNS names or IP literals for the SubjectAltName; empty for participants that only dial out
   * @throws IllegalArgumentException naming a bad name or hostname
   */
  public Identity issue(String name, Role role, List<String> hostnames) {
    KeyPair pair = EcKeys.generate();
    return new Identity(name, role, certify(name, role, hostnames, pair.getPublic()), pair.getPrivate());
  }

  /**
   * Certifies a public key the participant made itself (from a signing request), valid for 3 years: the private key
   * never reaches the CA.
   *
   * @param name the participant name (CN); must match {@code [a-z0-9][a-z0-9-]{0,62}}
   * @param hostnames DNS names or IP literals for the SubjectAltName; empty for participants that only dial out
   * @throws IllegalArgumentException naming a bad name or hostname
   */
  public X509Certificate certify(String name, Role role, List<String> hostnames, PublicKey publicKey) {
    Instant now = Instant.now();
    return certify(name, role, hostnames, publicKey, now.minus(BACKDATE), now.plus(LEAF_VALIDITY));
  }

  /**
   * Certifies {@code publicKey} for an explicit validity period, cut to the CA's own; e.g. short-lived certificates,
   * or already expired ones for tests of expiry.
   *
   * @param notBefore first instant of validity
   * @param notAfter last instant of validity; must not be before {@code notBefore}
   * @throws IllegalArgumentException naming a bad name, hostname or period
   */
  public X509Certificate certify(String name, Role role, List<String> hostnames, PublicKey publicKey,
      Instant notBefore, Instant notAfter) {
    ParticipantNames.requireValid(name);
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(publicKey, "publicKey");
    GeneralNames altNames = altNames(hostnames);
    Instant end = earliest(notAfter, certificate.getNotAfter().toInstant());
    if (end.isBefore(notBefore)) {
      throw new IllegalArgumentException("validity of " + name + " ends (" + end + ") before it starts (" + notBefore
          + ")");
    }
    // Most significant first in DER, so that the printed form reads CN=<name>,OU=<role>,O=<consortium>.
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, consortium)
        .addRDN(BCStyle.OU, role.certValue())
        .addRDN(BCStyle.CN, name)
        .build();
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
              certificate, serial(), Date.from(notBefore), Date.from(end), subject, publicKey)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(Extension.extendedKeyUsage, false,
              new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
          .addExtension(Extension.subjectKeyIdentifier, false,
              extensions.createSubjectKeyIdentifier(publicKey))
          .addExtension(Extension.authorityKeyIdentifier, false,
              extensions.createAuthorityKeyIdentifier(certificate));
      if (altNames != null) {
        builder.addExtension(Extension.subjectAlternativeName, false, altNames);
      }
      return sign(builder, key);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot issue a certificate for " + name, e);
    }
  }

  /**
   * A certificate revocation list (X.509 v2 CRL, RFC 5280) signed by this CA.
   *
   * @param revoked every certificate revoked so far, not only new ones: a CRL replaces the previous one
   * @param number the CRL number; must grow with each list, so that relying parties can refuse an older one
   * @param nextUpdate when relying parties should expect a newer list
   */
  public X509CRL revocationList(List<Revocation> revoked, BigInteger number, Instant thisUpdate, Instant nextUpdate) {
    try {
      X509v2CRLBuilder builder = new X509v2CRLBuilder(
          X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()), Date.from(thisUpdate));
      builder.setNextUpdate(Date.from(nextUpdate));
      for (Revocation revocation : revoked) {
        builder.addCRLEntry(revocation.serial(), Date.from(revocation.revokedAt()), revocation.reason().crlReason());
      }
      builder.addExtension(Extension.cRLNumber, false, new CRLNumber(number));
      builder.addExtension(Extension.authorityKeyIdentifier, false,
          new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(certificate));
      X509CRLHolder holder = builder.build(new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(key));
      return new JcaX509CRLConverter().getCRL(holder);
    } catch (GeneralSecurityException | CertIOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot sign a revocation list for " + consortium, e);
    }
  }

  /** Signs {@code data} (SHA256withECDSA) with the CA key, e.g. a startup kit manifest. */
  public byte[] sign(byte[] data) {
    return Signatures.sign(key, data);
  }

  /**
   * Writes ca.pem and ca-key.pem (mode 600) into {@code dir}, creating it if needed.
   *
   * @throws PkiException if ca-key.pem already exists
   */
  public void writeTo(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
    Pem.writePrivateKey(dir.resolve("ca-key.pem"), key);
    Pem.writeCertificates(dir.resolve("ca.pem"), certificate);
  }

  /** Whether {@code certificate} carries a valid signature by {@code ca} and names it as issuer. */
  public static boolean issued(X509Certificate ca, X509Certificate certificate) {
    if (!ca.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
      return false;
    }
    try {
      certificate.verify(ca.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** Whether {@code key} is the private half of {@code publicKey}, tested by signing and verifying. */
  public static boolean keyMatches(PrivateKey key, PublicKey publicKey) {
    byte[] probe = new byte[32];
    RANDOM.nextBytes(probe);
    try {
      return Signatures.verify(publicKey, probe, Signatures.sign(key, probe));
    } catch (IllegalArgumentException wrongKeyType) {
      return false;
    }
  }

  private static GeneralNames altNames(List<String> hostnames) {
    if (hostnames == null || hostnames.isEmpty()) {
      return null;
    }
    GeneralName[] names = new GeneralName[hostnames.size()];
    for (int i = 0; i < names.length; i++) {
      String host = hostnames.get(i);
      if (host == null) {
        throw new IllegalArgumentException("hostname must not be null");
      }
      if (IPV4.matcher(host).matches() || host.contains(":")) {
        try {
          names[i] = new GeneralName(GeneralName.iPAddress, host);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("'" + host + "' is not a valid IP address", e);
        }
      } else if (DNS_NAME.matcher(host).matches() && host.length() <= 253) {
        names[i] = new GeneralName(GeneralName.dNSName, host);
      } else {
        throw new IllegalArgumentException("'" + host + "' is not a valid hostname or IP address");
      }
    }
    return new GeneralNames(names);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static BigInteger serial() {
    // 159 random bits: positive, unpredictable and within the 20-octet limit of RFC 5280.
    return new BigInteger(159, RANDOM);
  }

  private static Instant earliest(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
