package org.medfl.common.pki;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.common.testing.TestPki;

class PemTest {
  @TempDir Path dir;
  private final TestPki pki = TestPki.create("demo");

  @Test
  void privateKeyRoundTripsAsOwnerOnlyPkcs8() throws Exception {
    // given
    Path file = dir.resolve("key.pem");

    // when
    Pem.writePrivateKey(file, pki.site("site-a").privateKey());

    // then
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals("-----BEGIN PRIVATE KEY-----", Files.readAllLines(file).get(0));
    assertArrayEquals(pki.site("site-a").privateKey().getEncoded(), Pem.readPrivateKey(file).getEncoded());
  }

  @Test
  void writePrivateKeyRefusesToOverwrite() throws Exception {
    // given
    Path file = dir.resolve("key.pem");
    Files.writeString(file, "precious");

    // when
    PkiException e = assertThrows(PkiException.class, () -> Pem.writePrivateKey(file, pki.site("a").privateKey()));

    // then
    assertEquals(file + " already exists; refusing to overwrite a private key", e.getMessage());
    assertEquals("precious", Files.readString(file));
  }

  @Test
  void certificatesRoundTripInOrder() {
    // given
    Path file = dir.resolve("chain.pem");

    // when
    Pem.writeCertificates(file, pki.site("site-a").certificate(), pki.caCertificate());

    // then
    assertEquals(List.of(pki.site("site-a").certificate(), pki.caCertificate()), Pem.readCertificates(file));
    assertEquals(pki.site("site-a").certificate(), Pem.readCertificate(file));
  }

  @Test
  void keyThatGroupOrOthersCanReadIsRefusedWithTheFix() throws Exception {
    // given
    Path file = dir.resolve("key.pem");
    Pem.writePrivateKey(file, pki.site("site-a").privateKey());
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    // when
    PkiException e = assertThrows(PkiException.class, () -> Pem.readPrivateKey(file));

    // then
    assertEquals(file + " has mode 644 (group or others have access); a private key must be owner-only:"
        + " run chmod 600 " + file, e.getMessage());
  }

  @Test
  void keyWritableByGroupIsRefusedToo() throws Exception {
    // given
    Path file = dir.resolve("key.pem");
    Pem.writePrivateKey(file, pki.site("site-a").privateKey());
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw--w----"));

    // when
    PkiException e = assertThrows(PkiException.class, () -> Pem.readPrivateKey(file));

    // then
    assertTrue(e.getMessage().startsWith(file + " has mode 620 "), e.getMessage());
  }

  @Test
  void readingCertificateAsKeyNamesFileAndProblem() throws Exception {
    // given
    Path file = dir.resolve("key.pem");
    Pem.writeCertificates(file, pki.caCertificate());
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

    // when
    PkiException e = assertThrows(PkiException.class, () -> Pem.readPrivateKey(file));

    // then
    assertEquals(file + " is not a PEM private key", e.getMessage());
  }

  @Test
  void readingMissingFileSaysItDoesNotExist() {
    // given
    Path file = dir.resolve("ca.pem");

    // when
    PkiException e = assertThrows(PkiException.class, () -> Pem.readCertificate(file));

    // then
    assertEquals(file + " does not exist", e.getMessage());
  }
}
