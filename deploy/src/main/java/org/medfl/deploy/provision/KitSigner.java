package org.medfl.deploy.provision;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import org.medfl.common.kit.KitException;
import org.medfl.common.kit.KitWriter;
import org.medfl.common.pki.Role;
import org.medfl.common.pki.SigningRequest;
import org.medfl.common.store.AtomicFiles;

/**
 * {@code fl provision sign}: certifies the key of one participant's signing request and writes its kit without a
 * private key. Nothing else in the consortium changes: no other kit is issued, read or touched.
 */
public final class KitSigner {
  private KitSigner() {}

  /**
   * What was issued.
   *
   * @param certificate the new certificate
   * @param kit the kit folder written, without a private key
   * @param previous the participant's certificates before this one that are not revoked (non-empty on rotation)
   */
  public record Signed(X509Certificate certificate, Path kit, List<IssuedCertificate> previous) {}

  /**
   * Signs {@code request} for {@code role} and writes the kit to {@code out}.
   *
   * @param expectedName when not null, the name the operator expects; a request for another name is refused
   * @param rotate whether the name already holds certificates and gets a new key; without it, a known name is refused
   * @throws IllegalArgumentException naming the flag and value: a reserved or already issued name, a rotation of an
   *     unknown name or to another role, a key certified before, the coordinator role
   * @throws KitException if {@code out} exists
   */
  public static Signed sign(CaStore store, SigningRequest request, Role role, String expectedName, boolean rotate,
      Path out) {
    String name = request.name();
    if (expectedName != null && !expectedName.equals(name)) {
      throw new IllegalArgumentException("--name: the request asks for '" + name + "', not '" + expectedName + "'");
    }
    if (role == Role.COORDINATOR) {
      throw new IllegalArgumentException("--role coordinator: signing requests are for sites, admins and auditors;"
          + " the coordinator's kit comes from fl provision");
    }
    if (name.equals(Provisioner.COORDINATOR) || name.equals(Provisioner.CA_DIR)) {
      throw new IllegalArgumentException("--csr: '" + name + "' is reserved; the participant must enroll with"
          + " another name");
    }
    List<IssuedCertificate> earlier = store.issuedTo(name);
    if (!earlier.isEmpty() && !rotate) {
      IssuedCertificate last = earlier.get(earlier.size() - 1);
      throw new IllegalArgumentException("--csr: '" + name + "' already has a certificate from this CA (" + last.role()
          .certValue() + ", serial " + last.serialHex() + "); to give it a new key, sign with --rotate");
    }
    if (earlier.isEmpty() && rotate) {
      throw new IllegalArgumentException("--rotate: this CA never issued a certificate to '" + name
          + "'; sign without --rotate to add it");
    }
    if (rotate && earlier.get(earlier.size() - 1).role() != role) {
      throw new IllegalArgumentException("--role " + role.certValue() + ": '" + name + "' is "
          + article(earlier.get(earlier.size() - 1).role()) + "; a rotation keeps the role");
    }
    Optional<IssuedCertificate> sameKey = store.issued().stream()
        .filter(c -> c.keyFingerprint().equals(request.fingerprint())).findFirst();
    if (sameKey.isPresent()) {
      throw new IllegalArgumentException("--csr: its key is already certified (serial " + sameKey.get().serialHex()
          + " of '" + sameKey.get().name() + "'); a new certificate needs a new key: run fl site enroll again");
    }
    if (Files.exists(out)) {
      throw new KitException("kit " + out + " already exists; refusing to overwrite a kit; choose another --out");
    }

    X509Certificate certificate = store.ca().certify(name, role, List.of(), request.publicKey());
    Path parent = out.toAbsolutePath().getParent();
    Path wip;
    try {
      Files.createDirectories(parent);
      // Beside the target, so that the final rename stays on one file system and is atomic.
      wip = Files.createTempDirectory(parent, ".wip-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a work folder in " + parent + ": " + e.getMessage(), e);
    }
    try {
      Path staged = wip.resolve("kit");
      KitWriter.writeWithoutKey(staged, store.ca().consortium(), certificate, store.ca().certificate(), store.ca(),
          store.coordinator().toString());
      // Recorded before the kit is in place: an issued certificate missing from the index could never be revoked.
      store.recordIssued(IssuedCertificate.of(certificate));
      Files.move(staged, out, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write kit " + out + ": " + e.getMessage(), e);
    } finally {
      deleteRecursively(wip);
    }
    return new Signed(certificate, out, earlier.stream().filter(c -> !c.revoked()).toList());
  }

  private static String article(Role role) {
    return (role == Role.ADMIN || role == Role.AUDITOR ? "an " : "a ") + role.certValue();
  }

  private static void deleteRecursively(Path root) {
    try {
      AtomicFiles.deleteTree(root);
    } catch (IOException e) {
      // A leftover work folder holds no kit in place; the outcome stands.
    }
  }
}
