package org.medfl.common.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.common.crypto.Digests;
import org.medfl.common.pki.ConsortiumCa;
import org.medfl.common.pki.Identity;
import org.medfl.common.pki.Pem;
import org.medfl.common.pki.Role;
import org.medfl.common.testing.TestPki;

class StartupKitTest {
  private final TestPki pki = TestPki.create("demo");
  @TempDir Path dir;

  @Test
  void writtenKitLoadsWithItsIdentityAndCoordinator() throws Exception {
    // given
    Path kitDir = dir.resolve("site-a");
    writeKit(kitDir, pki.site("site-a"));

    // when
    StartupKit kit = StartupKit.load(kitDir);

    // then
    assertEquals("demo", kit.consortium());
    assertEquals("site-a", kit.name());
    assertEquals(Role.SITE, kit.role());
    assertEquals(pki.site("site-a").certificate(), kit.identity().certificate());
    assertEquals(pki.caCertificate(), kit.caCertificate());
    assertEquals("fl.example.org", kit.coordinatorHost());
    assertEquals(8443, kit.coordinatorPort());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(kitDir.resolve("startup/key.pem"))));
    assertEquals(true, Files.isDirectory(kitDir.resolve("transfer")));
    assertEquals(true, Files.readString(kitDir.resolve("local/README.txt")).contains("never overwrites"));
  }

  @Test
  void writeRefusesAnExistingKit() throws Exception {
    // given
    Path kitDir = dir.resolve("site-a");
    writeKit(kitDir, pki.site("site-a"));
    String before = Files.readString(kitDir.resolve("startup/kit.json"));

    // when
    KitException e = assertThrows(KitException.class, () -> writeKit(kitDir, pki.site("site-a")));

    // then
    assertEquals("kit " + kitDir + " already exists; refusing to overwrite a kit", e.getMessage());
    assertEquals(before, Files.readString(kitDir.resolve("startup/kit.json")));
  }

  @Test
  void editedKitJsonFailsItsDigest() throws Exception {
    // given
    Path kitDir = dir.resolve("site-a");
    writeKit(kitDir, pki.site("site-a"));
    Path kitJson = kitDir.resolve("startup/kit.json");
    Files.writeString(kitJson, Files.readString(kitJson).replace("\"site\"", "\"admin\""));

    // when
    KitException e = assertThrows(KitException.class, () -> StartupKit.load(kitDir));

    // then
    assertEquals("kit " + kitDir + ": startup/kit.json does not match its digest in startup/manifest.json"
        + " (the kit was modified after provisioning)", e.getMessage());
  }

  @Test
  void missingFileIsNamed() throws Exception {
    // given
    Path kitDir = dir.resolve("site-a");
    writeKit(kitDir, pki.site("site-a"));
    Files.delete(kitDir.resolve("startup/ca.pem"));

    // when
    KitException e = assertThrows(KitException.class, () -> StartupKit.load(kitDir));

    // then
    assertEquals("kit " + kitDir + ": startup/ca.pem is missing", e.getMessage());
  }

  @Test
  void missingKitDirectoryIsNamed() {
    // given
    Path kitDir = dir.resolve("nowhere");

    // when
    KitException e = assertThrows(KitException.class, () -> StartupKit.load(kitDir));

    // then
    assertEquals("kit " + kitDir + " does not exist", e.getMessage());
  }

  @Test
  void replacedCaCertificateBreaksTheManifestSignature() throws Exception {
    // given
    Path kitDir = dir.resolve("site-a");
    writeKit(kitDir, pki.site("site-a"));
    Files.delete(kitDir.resolve("startup/ca.pem"));
    Pem.writeCertificates(kitDir.resolve("startup/ca.pem"), TestPki.create("demo").caCertificate());

    // when
    KitException e = assertThrows(KitException.class, () -> StartupKit.load(kitDir));

    // then
    assertEquals("kit " + kitDir + ": startup/manifest.json is not signed by the consortium CA in startup/ca.pem",
        e.getMessage());
  }

  @Test
  void certificateOfAnotherCaIsRejectedEvenWithAConsistentManifest() throws Exception {
    // given: cert.pem and key.pem swapped for another CA's, manifest re-signed by the kit's CA
    Path kitDir = dir.resolve("site-a");
    writeKit(kitDir, pki.site("site-a"));
    Identity foreign = TestPki.create("demo").site("site-a");
    Files.delete(kitDir.resolve("startup/key.pem"));
    Pem.writePrivateKey(kitDir.resolve("startup/key.pem"), foreign.privateKey());
    Pem.writeCertificates(kitDir.resolve("startup/cert.pem"), foreign.certificate());
    resign(kitDir, pki.ca());

    // when
    KitException e = assertThrows(KitException.class, () -> StartupKit.load(kitDir));

    // then
    assertEquals("kit " + kitDir + ": startup/cert.pem was not issued by the consortium CA in startup/ca.pem",
        e.getMessage());
  }

  @Test
  void roleInKitJsonMustMatchTheCertificate() throws Exception {
    // given
    Path kitDir = dir.resolve("site-a");
    writeKit(kitDir, pki.site("site-a"));
    Path kitJson = kitDir.resolve("startup/kit.json");
    Files.writeString(kitJson, Files.readString(kitJson).replace("\"site\"", "\"admin\""));
    resign(kitDir, pki.ca());

    // when
    KitException e = assertThrows(KitException.class, () -> StartupKit.load(kitDir));

    // then
    assertEquals("kit " + kitDir + ": startup/cert.pem is for a site but startup/kit.json says admin",
        e.getMessage());
  }

  @Test
  void requireRoleNamesTheKitsRoleAndTheNeededOne() throws Exception {
    // given
    Path kitDir = dir.resolve("admin-1");
    writeKit(kitDir, pki.admin("admin-1"));
    StartupKit kit = StartupKit.load(kitDir);

    // when
    KitException e = assertThrows(KitException.class, () -> kit.requireRole(Role.SITE));

    // then
    assertEquals("kit " + kitDir + " belongs to an admin; this command needs a site kit", e.getMessage());
    assertSame(kit, kit.requireRole(Role.AUDITOR, Role.ADMIN));
  }

  @Test
  void keyThatOthersCanReadIsRefusedNamingTheFix() throws Exception {
    // given
    Path kitDir = dir.resolve("site-a");
    writeKit(kitDir, pki.site("site-a"));
    Path key = kitDir.resolve("startup/key.pem");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));

    // when
    KitException e = assertThrows(KitException.class, () -> StartupKit.load(kitDir));

    // then
    assertEquals("kit " + kitDir + ": " + key + " has mode 644 (group or others have access); a private key must be"
        + " owner-only: run chmod 600 " + key, e.getMessage());
  }

  @Test
  void kitSignedFromARequestSaysHowToAddTheKey() throws Exception {
    // given
    Path kitDir = dir.resolve("site-d");
    KitWriter.writeWithoutKey(kitDir, "demo", pki.site("site-d").certificate(), pki.caCertificate(), pki.ca(),
        "fl.example.org:8443");

    // when
    KitException e = assertThrows(KitException.class, () -> StartupKit.load(kitDir));

    // then
    assertEquals("kit " + kitDir + ": startup/key.pem is missing: this kit was signed from a signing request and"
        + " carries no key; install it into the kit that holds your key with: fl site enroll --complete " + kitDir
        + " --kit KIT", e.getMessage());
  }

  @Test
  void kitSignedFromARequestLoadsWithTheMatchingKeyInPlace() throws Exception {
    // given
    Path kitDir = dir.resolve("site-d");
    Identity site = pki.site("site-d");
    KitWriter.writeWithoutKey(kitDir, "demo", site.certificate(), pki.caCertificate(), pki.ca(), "fl.example.org:8443");
    Pem.writePrivateKey(kitDir.resolve("startup/key.pem"), site.privateKey());

    // when
    StartupKit kit = StartupKit.load(kitDir);

    // then
    assertEquals(site.certificate(), kit.identity().certificate());
    assertEquals(Role.SITE, kit.role());
    assertEquals(kitDir.resolve("startup/crl.pem"), kit.crlFile());
  }

  @Test
  void kitSignedFromARequestRefusesAnotherKey() throws Exception {
    // given
    Path kitDir = dir.resolve("site-d");
    KitWriter.writeWithoutKey(kitDir, "demo", pki.site("site-d").certificate(), pki.caCertificate(), pki.ca(),
        "fl.example.org:8443");
    Pem.writePrivateKey(kitDir.resolve("startup/key.pem"), pki.site("site-e").privateKey());

    // when
    KitException e = assertThrows(KitException.class, () -> StartupKit.load(kitDir));

    // then
    assertEquals("kit " + kitDir + ": startup/key.pem is not the private key of startup/cert.pem", e.getMessage());
  }

  private void writeKit(Path kitDir, Identity id) {
    KitWriter.write(kitDir, "demo", id, pki.caCertificate(), pki.ca(), "fl.example.org:8443");
  }

  /** Rewrites the manifest for the kit's current files, as someone holding the CA key could. */
  private static void resign(Path kitDir, ConsortiumCa ca) throws Exception {
    SortedMap<String, String> digests = new TreeMap<>();
    for (String file : KitLayout.SIGNED_FILES) {
      digests.put(KitLayout.manifestKey(file), Digests.sha256Hex(kitDir.resolve(file)));
    }
    ObjectNode manifest = KitLayout.JSON.createObjectNode();
    manifest.put("format", 1);
    ObjectNode files = manifest.putObject("files");
    digests.forEach(files::put);
    manifest.put("signature",
        Base64.getEncoder().encodeToString(ca.sign(KitLayout.canonicalManifest(1, digests))));
    Files.writeString(kitDir.resolve("startup/manifest.json"), manifest.toString());
  }
}
