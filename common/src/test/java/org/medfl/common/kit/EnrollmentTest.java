package org.medfl.common.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.common.crypto.Digests;
import org.medfl.common.pki.ConsortiumCa;
import org.medfl.common.pki.Role;
import org.medfl.common.pki.SigningRequest;
import org.medfl.common.testing.TestPki;

class EnrollmentTest {
  private static final String COORDINATOR = "fl.example.org:8443";
  private final TestPki pki = TestPki.create("demo");
  @TempDir Path dir;

  @Test
  void beginWritesAnOwnerOnlyKeyAndARequestForTheName() throws Exception {
    // given
    Path kitDir = dir.resolve("kit");

    // when
    Enrollment.Request request = Enrollment.begin(kitDir, "site-d");

    // then
    assertEquals(kitDir.resolve("enroll/key.pem"), request.key());
    assertEquals("rw-------", mode(request.key()));
    assertEquals("rwx------", mode(kitDir.resolve("enroll")));
    SigningRequest csr = SigningRequest.read(request.request());
    assertEquals("site-d", csr.name());
    assertEquals(csr.fingerprint(), request.fingerprint());
    assertTrue(ConsortiumCa.keyMatches(org.medfl.common.pki.Pem.readPrivateKey(request.key()), csr.publicKey()));
    assertFalse(request.rotation());
  }

  @Test
  void signedKitAndKeptKeyBecomeALoadableKit() throws Exception {
    // given
    Path kitDir = dir.resolve("kit");
    Enrollment.Request request = Enrollment.begin(kitDir, "site-d");
    X509Certificate cert = sign(request, Role.SITE);
    Path signed = dir.resolve("signed");
    KitWriter.writeWithoutKey(signed, "demo", cert, pki.caCertificate(), pki.ca(), COORDINATOR);

    // when
    StartupKit kit = Enrollment.complete(kitDir, signed);

    // then
    assertEquals(cert, kit.identity().certificate());
    assertEquals("site-d", kit.name());
    assertEquals("rw-------", mode(kitDir.resolve("startup/key.pem")));
    assertFalse(Files.exists(kitDir.resolve("enroll")), "the used request and key folder are removed");
    assertTrue(Files.isRegularFile(kitDir.resolve("local/README.txt")));
    assertFalse(Files.exists(signed.resolve("startup/key.pem")), "the key never goes into the signed kit");
    assertEquals(List.of("kit", "signed"), listing(dir));
  }

  @Test
  void kitSignedForAnotherKeyIsRefusedAndTheKeyKept() throws Exception {
    // given
    Path kitDir = dir.resolve("kit");
    Enrollment.begin(kitDir, "site-d");
    String keyDigest = Digests.sha256Hex(kitDir.resolve("enroll/key.pem"));
    Path signed = dir.resolve("signed");
    KitWriter.writeWithoutKey(signed, "demo", pki.site("site-d").certificate(), pki.caCertificate(), pki.ca(),
        COORDINATOR);

    // when
    KitException e = assertThrows(KitException.class, () -> Enrollment.complete(kitDir, signed));

    // then
    assertEquals("kit " + signed + ": " + kitDir.resolve("enroll/key.pem") + " is not the private key of"
        + " startup/cert.pem", e.getMessage());
    assertEquals(keyDigest, Digests.sha256Hex(kitDir.resolve("enroll/key.pem")));
    assertFalse(Files.exists(kitDir.resolve("startup")));
  }

  @Test
  void secondBeginWhileOneIsPendingIsRefused() {
    // given
    Path kitDir = dir.resolve("kit");
    Enrollment.begin(kitDir, "site-d");

    // when
    KitException e = assertThrows(KitException.class, () -> Enrollment.begin(kitDir, "site-d"));

    // then
    assertTrue(e.getMessage().contains("an enrollment is already pending"), e.getMessage());
  }

  @Test
  void completeWithoutBeginSaysHowToStart() {
    // given
    Path kitDir = dir.resolve("kit");

    // when
    KitException e = assertThrows(KitException.class, () -> Enrollment.complete(kitDir, dir.resolve("signed")));

    // then
    assertEquals("kit " + kitDir + ": no enrollment is pending (" + kitDir.resolve("enroll/key.pem")
        + " is missing); start one with fl site enroll --name NAME --kit " + kitDir, e.getMessage());
  }

  @Test
  void rotationReplacesKeyAndCertificateAndKeepsLocalState() throws Exception {
    // given: a provisioned kit with site state, then a new key for the same name
    Path kitDir = dir.resolve("kit");
    KitWriter.write(kitDir, "demo", pki.site("site-a"), pki.caCertificate(), pki.ca(), COORDINATOR);
    Files.createDirectories(kitDir.resolve("local/state"));
    Files.writeString(kitDir.resolve("local/state/privacy-budget.json"), "{\"spent\":1.5}");
    Enrollment.Request request = Enrollment.begin(kitDir, null);
    Path signed = dir.resolve("signed");
    KitWriter.writeWithoutKey(signed, "demo", sign(request, Role.SITE), pki.caCertificate(), pki.ca(), COORDINATOR);

    // when
    StartupKit kit = Enrollment.complete(kitDir, signed);

    // then
    assertEquals("site-a", request.name());
    assertTrue(request.rotation());
    assertNotEquals(pki.site("site-a").certificate(), kit.identity().certificate());
    assertFalse(ConsortiumCa.keyMatches(kit.identity().privateKey(), pki.site("site-a").certificate().getPublicKey()));
    assertEquals("{\"spent\":1.5}", Files.readString(kitDir.resolve("local/state/privacy-budget.json")));
    assertEquals(List.of("local", "startup", "transfer"), listing(kitDir));
  }

  @Test
  void rotationRefusesAKitOfAnotherRole() throws Exception {
    // given
    Path kitDir = dir.resolve("kit");
    KitWriter.write(kitDir, "demo", pki.site("site-a"), pki.caCertificate(), pki.ca(), COORDINATOR);
    Enrollment.Request request = Enrollment.begin(kitDir, null);
    Path signed = dir.resolve("signed");
    KitWriter.writeWithoutKey(signed, "demo", sign(request, Role.ADMIN), pki.caCertificate(), pki.ca(), COORDINATOR);
    String before = Digests.sha256Hex(kitDir.resolve("startup/cert.pem"));

    // when
    KitException e = assertThrows(KitException.class, () -> Enrollment.complete(kitDir, signed));

    // then
    assertEquals("kit " + signed + " is for admin 'site-a' but kit " + kitDir + " is for site 'site-a'",
        e.getMessage());
    assertEquals(before, Digests.sha256Hex(kitDir.resolve("startup/cert.pem")));
  }

  @Test
  void rotationRefusesAKitFromAnotherCa() throws Exception {
    // given
    Path kitDir = dir.resolve("kit");
    KitWriter.write(kitDir, "demo", pki.site("site-a"), pki.caCertificate(), pki.ca(), COORDINATOR);
    Enrollment.Request request = Enrollment.begin(kitDir, null);
    TestPki other = TestPki.create("demo");
    X509Certificate cert = other.ca().certify("site-a", Role.SITE, List.of(),
        SigningRequest.read(request.request()).publicKey());
    Path signed = dir.resolve("signed");
    KitWriter.writeWithoutKey(signed, "demo", cert, other.caCertificate(), other.ca(), COORDINATOR);

    // when
    KitException e = assertThrows(KitException.class, () -> Enrollment.complete(kitDir, signed));

    // then
    assertEquals("kit " + signed + " was signed by another CA than kit " + kitDir
        + "; a new key must come from the same consortium CA", e.getMessage());
  }

  @Test
  void enrollingAnotherNameIntoAnExistingKitIsRefused() {
    // given
    Path kitDir = dir.resolve("kit");
    KitWriter.write(kitDir, "demo", pki.site("site-a"), pki.caCertificate(), pki.ca(), COORDINATOR);

    // when
    KitException e = assertThrows(KitException.class, () -> Enrollment.begin(kitDir, "site-b"));

    // then
    assertEquals("kit " + kitDir + " belongs to 'site-a', not 'site-b'; enroll a new participant into a new folder",
        e.getMessage());
  }

  private X509Certificate sign(Enrollment.Request request, Role role) {
    SigningRequest csr = SigningRequest.read(request.request());
    return pki.ca().certify(csr.name(), role, List.of(), csr.publicKey());
  }

  private static String mode(Path file) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }

  private static List<String> listing(Path dir) throws Exception {
    try (var entries = Files.list(dir)) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
