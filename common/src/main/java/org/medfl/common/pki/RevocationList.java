package org.medfl.common.pki;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CRLEntryHolder;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.CertException;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;

/**
 * A certificate revocation list whose signature was checked against the consortium CA: which serial numbers are
 * revoked, and since when. Immutable.
 */
public final class RevocationList {
  private final BigInteger number;
  private final Instant thisUpdate;
  private final Instant nextUpdate;
  private final Map<BigInteger, Instant> revoked;

  private RevocationList(BigInteger number, Instant thisUpdate, Instant nextUpdate, Map<BigInteger, Instant> revoked) {
    this.number = number;
    this.thisUpdate = thisUpdate;
    this.nextUpdate = nextUpdate;
    this.revoked = Collections.unmodifiableMap(revoked);
  }

  /** A list that revokes nothing, number 0: what applies before any CRL was read. */
  public static RevocationList empty() {
    return new RevocationList(BigInteger.ZERO, Instant.EPOCH, null, Map.of());
  }

  /**
   * Reads a PEM CRL ("X509 CRL") from {@code file} and checks that {@code ca} issued and signed it.
   *
   * @throws PkiException naming the file when it is missing, malformed, from another issuer or wrongly signed
   */
  public static RevocationList read(Path file, X509Certificate ca) {
    String pem;
    try {
      pem = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new PkiException(file + " does not exist", e);
    } catch (IOException e) {
      throw new PkiException(file + " cannot be read: " + e.getMessage(), e);
    }
    return parse(pem, file.toString(), ca);
  }

  /** Like {@link #read}, from PEM text; {@code source} names where it came from, for messages. */
  public static RevocationList parse(String pem, String source, X509Certificate ca) {
    Object object;
    try (Reader reader = new StringReader(pem); PEMParser parser = new PEMParser(reader)) {
      object = parser.readObject();
    } catch (IOException | RuntimeException e) {
      throw new PkiException(source + " is not a PEM revocation list: " + e.getMessage(), e);
    }
    if (!(object instanceof X509CRLHolder crl)) {
      throw new PkiException(source + " is not a PEM revocation list (\"X509 CRL\")");
    }
    if (!crl.getIssuer().equals(X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()))) {
      throw new PkiException(source + " was issued by " + crl.getIssuer() + ", not by the consortium CA "
          + ca.getSubjectX500Principal().getName());
    }
    try {
      if (!crl.isSignatureValid(new JcaContentVerifierProviderBuilder().build(ca))) {
        throw new PkiException(source + " is not signed by the consortium CA");
      }
    } catch (CertException | OperatorCreationException e) {
      throw new PkiException(source + " has a signature that cannot be checked: " + e.getMessage(), e);
    }
    Extension numberExtension = crl.getExtension(Extension.cRLNumber);
    BigInteger number = numberExtension == null ? BigInteger.ZERO
        : CRLNumber.getInstance(numberExtension.getParsedValue()).getCRLNumber();
    Map<BigInteger, Instant> revoked = new HashMap<>();
    for (Object entry : crl.getRevokedCertificates()) {
      X509CRLEntryHolder holder = (X509CRLEntryHolder) entry;
      revoked.put(holder.getSerialNumber(), holder.getRevocationDate().toInstant());
    }
    return new RevocationList(number, crl.getThisUpdate().toInstant(),
        crl.getNextUpdate() == null ? null : crl.getNextUpdate().toInstant(), revoked);
  }

  /** When {@code certificate} was revoked, or empty if this list does not revoke it. */
  public Optional<Instant> revokedAt(X509Certificate certificate) {
    return Optional.ofNullable(revoked.get(certificate.getSerialNumber()));
  }

  /** The CRL number; a newer list from the same CA has a larger one. */
  public BigInteger number() {
    return number;
  }

  /** When the CA issued this list. */
  public Instant thisUpdate() {
    return thisUpdate;
  }

  /** When the CA promised a newer list, if it said. */
  public Optional<Instant> nextUpdate() {
    return Optional.ofNullable(nextUpdate);
  }

  /** How many certificates this list revokes. */
  public int size() {
    return revoked.size();
  }
}
