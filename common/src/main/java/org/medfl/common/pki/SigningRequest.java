package org.medfl.common.pki;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * A PKCS#10 certificate signing request (RFC 2986): a participant's name and public key, signed with its own
 * private key, so that the key can stay where it was made.
 *
 * <p>Only the CN and the key are used. The CA writes the consortium (O) and role (OU) itself: a request cannot choose
 * its own role.
 *
 * @param name the participant name requested, the CN of the request's subject
 * @param publicKey the key to certify, EC P-256
 */
public record SigningRequest(String name, PublicKey publicKey) {

  /**
   * The PEM text ("CERTIFICATE REQUEST") of a request for {@code name}, signed with {@code pair}'s private key.
   *
   * @throws IllegalArgumentException naming {@code name} when it is not a valid participant name
   */
  public static String createPem(String name, KeyPair pair) {
    ParticipantNames.requireValid(name);
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, name).build();
    try {
      PKCS10CertificationRequest request = new JcaPKCS10CertificationRequestBuilder(subject, pair.getPublic())
          .build(new JcaContentSignerBuilder(ConsortiumCa.SIGNATURE_ALGORITHM).build(pair.getPrivate()));
      StringWriter text = new StringWriter();
      try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
        writer.writeObject(request);
      }
      return text.toString();
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("cannot sign a request with an EC P-256 key", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads and checks a request: PEM, a valid self-signature, one CN that is a valid participant name, and an EC P-256
   * key.
   *
   * @throws PkiException naming the file and the first check that failed
   */
  public static SigningRequest read(Path file) {
    Object object;
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      object = parser.readObject();
    } catch (NoSuchFileException e) {
      throw new PkiException(file + " does not exist", e);
    } catch (IOException | RuntimeException e) {
      throw new PkiException(file + " is not a PEM certificate signing request: " + e.getMessage(), e);
    }
    if (!(object instanceof PKCS10CertificationRequest request)) {
      throw new PkiException(file + " is not a PEM certificate signing request (\"CERTIFICATE REQUEST\")");
    }
    PublicKey key;
    try {
      // By algorithm name, not OID: the JDK's providers do not all register EC key factories under the OID.
      key = new JcaPEMKeyConverter().getPublicKey(request.getSubjectPublicKeyInfo());
      if (!request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
        throw new PkiException(file + " has an invalid signature: it was changed after it was made, or not signed with"
            + " the private key of the public key it carries");
      }
    } catch (PEMException | OperatorCreationException | PKCSException | IllegalArgumentException e) {
      throw new PkiException(file + " has a signature or key that cannot be checked: " + e.getMessage(), e);
    }
    if (!EcKeys.isP256(key)) {
      throw new PkiException(file + " carries a " + key.getAlgorithm() + " key; MedFL certifies EC P-256 keys only");
    }
    RDN[] cns = request.getSubject().getRDNs(BCStyle.CN);
    if (cns.length != 1 || cns[0].isMultiValued()) {
      throw new PkiException(file + " must name exactly one CN (the participant name), but its subject is "
          + request.getSubject());
    }
    ASN1Encodable value = cns[0].getFirst().getValue();
    // The raw string, not the RFC 4514 form, which would escape characters and hide them from the name check.
    String name = value instanceof ASN1String text ? text.getString() : value.toString();
    if (!ParticipantNames.isValid(name)) {
      throw new PkiException(file + " asks for the name '" + name + "', which is not a valid participant name;"
          + " use 1-63 lowercase letters, digits and '-'");
    }
    return new SigningRequest(name, key);
  }

  /** The key's fingerprint, to confirm with the participant out of band; see {@link EcKeys#fingerprint}. */
  public String fingerprint() {
    return EcKeys.fingerprint(publicKey);
  }
}
