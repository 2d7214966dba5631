package org.medfl.common.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningRequestTest {
  @TempDir Path dir;

  @Test
  void requestCarriesNameAndKeyAndCheckedSignature() throws Exception {
    // given
    KeyPair pair = EcKeys.generate();
    Path file = dir.resolve("site-d.csr.pem");
    Files.writeString(file, SigningRequest.createPem("site-d", pair));

    // when
    SigningRequest request = SigningRequest.read(file);

    // then
    assertEquals("site-d", request.name());
    assertEquals(pair.getPublic(), request.publicKey());
    assertEquals(EcKeys.fingerprint(pair.getPublic()), request.fingerprint());
    assertTrue(Files.readString(file).startsWith("-----BEGIN CERTIFICATE REQUEST-----"));
  }

  @Test
  void requestSignedByAnotherKeyThanItCarriesIsRefused() throws Exception {
    // given: the key of one pair, signed by the private key of another, as a swapped key would look
    KeyPair carried = EcKeys.generate();
    KeyPair signer = EcKeys.generate();
    Path file = dir.resolve("forged.csr.pem");
    Files.writeString(file, pem(new X500Name("CN=site-d"), carried, signer, "SHA256withECDSA"));

    // when
    PkiException e = assertThrows(PkiException.class, () -> SigningRequest.read(file));

    // then
    assertEquals(file + " has an invalid signature: it was changed after it was made, or not signed with the private"
        + " key of the public key it carries", e.getMessage());
  }

  @Test
  void requestForAnInvalidNameIsRefused() throws Exception {
    // given
    KeyPair pair = EcKeys.generate();
    Path file = dir.resolve("bad.csr.pem");
    Files.writeString(file, pem(new X500Name("CN=Site D"), pair, pair, "SHA256withECDSA"));

    // when
    PkiException e = assertThrows(PkiException.class, () -> SigningRequest.read(file));

    // then
    assertEquals(file + " asks for the name 'Site D', which is not a valid participant name; use 1-63 lowercase"
        + " letters, digits and '-'", e.getMessage());
  }

  @Test
  void requestWithoutExactlyOneCnIsRefused() throws Exception {
    // given
    KeyPair pair = EcKeys.generate();
    Path file = dir.resolve("two.csr.pem");
    Files.writeString(file, pem(new X500Name("CN=site-d,CN=site-e"), pair, pair, "SHA256withECDSA"));

    // when
    PkiException e = assertThrows(PkiException.class, () -> SigningRequest.read(file));

    // then
    assertTrue(e.getMessage().contains("must name exactly one CN"), e.getMessage());
  }

  @Test
  void rsaKeyIsRefused() throws Exception {
    // given
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair pair = generator.generateKeyPair();
    Path file = dir.resolve("rsa.csr.pem");
    Files.writeString(file, pem(new X500Name("CN=site-d"), pair, pair, "SHA256withRSA"));

    // when
    PkiException e = assertThrows(PkiException.class, () -> SigningRequest.read(file));

    // then
    assertEquals(file + " carries a RSA key; MedFL certifies EC P-256 keys only", e.getMessage());
  }

  @Test
  void certificateInsteadOfRequestIsNamed() throws Exception {
    // given
    Path file = dir.resolve("cert.pem");
    Pem.writeCertificates(file, ConsortiumCa.create("demo").certificate());

    // when
    PkiException e = assertThrows(PkiException.class, () -> SigningRequest.read(file));

    // then
    assertEquals(file + " is not a PEM certificate signing request (\"CERTIFICATE REQUEST\")", e.getMessage());
  }

  private static String pem(X500Name subject, KeyPair carried, KeyPair signer, String algorithm) throws Exception {
    var request = new JcaPKCS10CertificationRequestBuilder(subject, carried.getPublic())
        .build(new JcaContentSignerBuilder(algorithm).build(signer.getPrivate()));
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(request);
    }
    return text.toString();
  }
}
