package org.medfl.common.kit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import org.medfl.common.pki.EcKeys;
import org.medfl.common.pki.ParticipantNames;
import org.medfl.common.pki.Peer;
import org.medfl.common.pki.Pem;
import org.medfl.common.pki.PkiException;
import org.medfl.common.pki.SigningRequest;
import org.medfl.common.store.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joining, or renewing a key, without the private key ever leaving the participant's machine.
 *
 * <ol>
 *   <li>{@link #begin}: a new EC P-256 key in {@code KIT/enroll/key.pem} (mode 600 from creation) and a signing
 *       request {@code KIT/enroll/NAME.csr.pem} to send to the CA operator.
 *   <li>The CA operator runs {@code fl provision sign} on the request and sends back a kit without a key.
 *   <li>{@link #complete}: checks that kit against the kept key and installs both as {@code KIT/startup/}. An existing
 *       kit (key rotation) is replaced only by one of the same CA, name and role; {@code local/} is kept, with the
 *       site's state and privacy budget.
 * </ol>
 */
public final class Enrollment {
  private static final Logger LOG = LoggerFactory.getLogger(Enrollment.class);

  private Enrollment() {}

  /**
   * What {@link #begin} wrote.
   *
   * @param name the participant name the request asks for
   * @param key the new private key, owner-only
   * @param request the PEM signing request, safe to send by e-mail
   * @param fingerprint the public key's fingerprint, to read to the CA operator on the phone
   * @param rotation whether {@code KIT} already holds a kit, whose key this enrollment will replace
   */
  public record Request(String name, Path key, Path request, String fingerprint, boolean rotation) {}

  /**
   * Makes a key and a signing request for {@code name} in {@code kitDir}/enroll/.
   *
   * @param name the participant name; null to reuse the name of the kit already in {@code kitDir}
   * @throws KitException if an enrollment is already pending there, or {@code name} differs from the existing kit's
   * @throws IllegalArgumentException naming {@code name} when it is not a valid participant name
   */
  public static Request begin(Path kitDir, String name) {
    String existing = existingName(kitDir);
    if (name == null && existing == null) {
      throw new KitException("kit " + kitDir + " holds no kit yet; give the participant name to enroll with --name");
    }
    if (name != null && existing != null && !name.equals(existing)) {
      throw new KitException("kit " + kitDir + " belongs to '" + existing + "', not '" + name
          + "'; enroll a new participant into a new folder");
    }
    String enrollName = name != null ? name : existing;
    ParticipantNames.requireValid(enrollName);
    Path enrollDir = kitDir.resolve(KitLayout.ENROLL);
    Path keyFile = kitDir.resolve(KitLayout.ENROLL_KEY);
    if (Files.exists(keyFile)) {
      throw new KitException("kit " + kitDir + ": an enrollment is already pending (" + keyFile + " exists); finish it"
          + " with fl site enroll --complete SIGNED_KIT --kit " + kitDir + ", or delete " + enrollDir
          + " to start over");
    }
    KeyPair pair = EcKeys.generate();
    Path requestFile = enrollDir.resolve(enrollName + ".csr.pem");
    try {
      Files.createDirectories(kitDir);
      createOwnerOnlyDirectory(enrollDir);
      Pem.writePrivateKey(keyFile, pair.getPrivate());
      Files.writeString(requestFile, SigningRequest.createPem(enrollName, pair), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the enrollment into " + enrollDir + ": " + e.getMessage(), e);
    } catch (PkiException e) {
      throw new KitException("kit " + kitDir + ": " + e.getMessage(), e);
    }
    return new Request(enrollName, keyFile, requestFile, EcKeys.fingerprint(pair.getPublic()), existing != null);
  }

  /**
   * Installs the kit {@code signedDir} (from {@code fl provision sign}) with the key kept by {@link #begin} as
   * {@code kitDir}/startup/, replacing an older kit of the same participant, and removes enroll/.
   *
   * @return the installed kit, loaded and checked
   * @throws KitException naming the folder and the problem: no pending enrollment, a signed kit for another key, or
   *     one from another CA, name or role than the kit it would replace; nothing is changed then
   */
  public static StartupKit complete(Path kitDir, Path signedDir) {
    Path keyFile = kitDir.resolve(KitLayout.ENROLL_KEY);
    if (!Files.isRegularFile(keyFile)) {
      throw new KitException("kit " + kitDir + ": no enrollment is pending (" + keyFile + " is missing); start one"
          + " with fl site enroll --name NAME --kit " + kitDir);
    }
    StartupKit signed = StartupKit.loadWithKey(signedDir, keyFile);
    if (Files.exists(kitDir.resolve(KitLayout.STARTUP))) {
      requireSameParticipant(kitDir, signed);
    }
    Path stage;
    try {
      // Inside the kit folder, so that every rename below stays on one file system and is atomic.
      stage = Files.createTempDirectory(kitDir, ".enroll-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stage the new kit in " + kitDir + ": " + e.getMessage(), e);
    }
    try {
      Path startup = stage.resolve(KitLayout.STARTUP);
      Files.createDirectories(startup);
      for (String file : List.of(KitLayout.CERT, KitLayout.CA, KitLayout.KIT_JSON, KitLayout.MANIFEST)) {
        Files.copy(signedDir.resolve(file), stage.resolve(file));
      }
      Files.move(keyFile, stage.resolve(KitLayout.KEY), StandardCopyOption.ATOMIC_MOVE);
      try {
        StartupKit.load(stage);
        swap(kitDir, stage);
      } catch (RuntimeException | IOException e) {
        Files.move(stage.resolve(KitLayout.KEY), keyFile, StandardCopyOption.ATOMIC_MOVE);
        throw e;
      }
      Files.createDirectories(kitDir.resolve(KitLayout.LOCAL));
      Files.createDirectories(kitDir.resolve(KitLayout.TRANSFER));
      KitWriter.writeLocalReadme(kitDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot install the signed kit " + signedDir + " into " + kitDir + ": "
          + e.getMessage(), e);
    } finally {
      deleteRecursively(stage);
    }
    deleteRecursively(kitDir.resolve(KitLayout.ENROLL));
    return StartupKit.load(kitDir);
  }

  /** Replaces kitDir/startup by stage/startup; the old one, with the old key, ends in the stage and is deleted. */
  private static void swap(Path kitDir, Path stage) throws IOException {
    Path current = kitDir.resolve(KitLayout.STARTUP);
    Path retired = stage.resolve("retired-" + KitLayout.STARTUP);
    boolean hadKit = Files.exists(current);
    if (hadKit) {
      Files.move(current, retired, StandardCopyOption.ATOMIC_MOVE);
    }
    try {
      Files.move(stage.resolve(KitLayout.STARTUP), current, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      if (hadKit) {
        Files.move(retired, current, StandardCopyOption.ATOMIC_MOVE);
      }
      throw e;
    }
  }

  private static void requireSameParticipant(Path kitDir, StartupKit signed) {
    X509Certificate currentCa;
    Peer current;
    try {
      currentCa = Pem.readCertificate(kitDir.resolve(KitLayout.CA));
      current = Peer.of(Pem.readCertificate(kitDir.resolve(KitLayout.CERT)));
    } catch (PkiException e) {
      throw new KitException("kit " + kitDir + " has a startup/ folder that is not a kit (" + e.getMessage()
          + "); move it away to enroll afresh", e);
    }
    if (!currentCa.equals(signed.caCertificate())) {
      throw new KitException("kit " + signed.dir() + " was signed by another CA than kit " + kitDir
          + "; a new key must come from the same consortium CA");
    }
    if (!current.equals(new Peer(signed.name(), signed.role()))) {
      throw new KitException("kit " + signed.dir() + " is for " + signed.role().certValue() + " '" + signed.name()
          + "' but kit " + kitDir + " is for " + current.role().certValue() + " '" + current.name() + "'");
    }
  }

  /** The participant named by the certificate of the kit in {@code kitDir}, or null when there is none. */
  private static String existingName(Path kitDir) {
    Path cert = kitDir.resolve(KitLayout.CERT);
    if (!Files.exists(cert)) {
      return null;
    }
    try {
      return Peer.of(Pem.readCertificate(cert)).name();
    } catch (PkiException e) {
      throw new KitException("kit " + kitDir + ": " + KitLayout.CERT + " does not name a participant: "
          + e.getMessage(), e);
    }
  }

  private static void createOwnerOnlyDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    try {
      Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createDirectory(dir);
    } catch (FileAlreadyExistsException raced) {
      // Made by a concurrent enrollment; the key's CREATE_NEW below decides which one wins.
    }
  }

  /** Best effort: what could be left is a staging folder or a used request, never the installed kit. */
  private static void deleteRecursively(Path root) {
    try {
      AtomicFiles.deleteTree(root);
    } catch (IOException e) {
      LOG.warn("could not remove {}; delete it by hand (it may hold a retired private key): {}", root, e.toString());
    }
  }
}
