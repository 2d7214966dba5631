package org.medfl.deploy.provision;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.medfl.common.kit.Endpoint;
import org.medfl.common.kit.KitException;
import org.medfl.common.kit.KitWriter;
import org.medfl.common.pki.ConsortiumCa;
import org.medfl.common.pki.Identity;
import org.medfl.common.pki.ParticipantNames;
import org.medfl.common.pki.Role;
import org.medfl.common.store.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates a consortium: a new CA in {@code <out>/consortium-ca/} (with its index of issued certificates and a first,
 * empty CRL; see {@link CaStore}) and one startup kit per participant in {@code <out>/<name>/}. Later participants
 * join through {@link KitSigner}, and leave through {@link Revoker}.
 *
 * <p>Everything is issued in memory and written under {@code <out>/.wip-*} first, then each folder is renamed into
 * place, so a failure leaves no half-written kit. Nothing that exists is ever overwritten.
 */
public final class Provisioner {
  private static final Logger LOG = LoggerFactory.getLogger(Provisioner.class);
  static final String CA_DIR = "consortium-ca";
  static final String COORDINATOR = "coordinator";
  private static final String CA_README = """
      This folder holds the consortium's certificate authority. ca-key.pem can issue
      certificates that every participant will trust.

      Keep this folder OFFLINE (an encrypted USB stick in a safe, not a shared drive or
      the coordinator host). It is only needed to add, rotate and revoke participants:
        fl provision sign --ca-dir THIS_FOLDER --csr NAME.csr.pem --role site [--rotate]
        fl provision revoke NAME --ca-dir THIS_FOLDER [--superseded | --serial HEX]
        fl provision list --ca-dir THIS_FOLDER
      issued.json lists every certificate issued and revoked; crl.pem is the latest
      revocation list: copy it to the coordinator as startup/crl.pem after each revoke.
      Give each participant only its own kit folder; never copy ca-key.pem into a kit.
      """;

  private Provisioner() {}

  /**
   * Provisions a consortium into {@code out}.
   *
   * @param coordinatorHostPort the address participants dial, e.g. "fl.example.org:8443"; its host also goes into
   *     the coordinator certificate, with localhost and 127.0.0.1
   * @param sites at least one hospital site
   * @param admins at least one admin
   * @param auditors may be empty
   * @throws IllegalArgumentException naming the flag and value for bad input
   * @throws KitException naming the folder if the CA or a kit folder already exists; nothing is written then
   */
  public static ProvisionResult provision(String consortium, String coordinatorHostPort, List<String> sites,
      List<String> admins, List<String> auditors, Path out) {
    Map<String, Role> participants = validate(consortium, coordinatorHostPort, sites, admins, auditors);
    Endpoint coordinator = Endpoint.parse(coordinatorHostPort);
    refuseExisting(out, participants.keySet());

    ConsortiumCa ca = ConsortiumCa.create(consortium);
    List<Identity> identities = new ArrayList<>();
    for (Map.Entry<String, Role> participant : participants.entrySet()) {
      List<String> hostnames = participant.getValue() == Role.COORDINATOR
          ? List.copyOf(new LinkedHashSet<>(List.of(coordinator.host(), "localhost", "127.0.0.1")))
          : List.of();
      identities.add(ca.issue(participant.getKey(), participant.getValue(), hostnames));
    }

    Path wip = createWip(out);
    List<String> moved = new ArrayList<>();
    try {
      ca.writeTo(wip.resolve(CA_DIR));
      Files.writeString(wip.resolve(CA_DIR).resolve("README.txt"), CA_README, StandardCharsets.UTF_8);
      CaStore.initialize(wip.resolve(CA_DIR), ca, coordinator,
          identities.stream().map(id -> IssuedCertificate.of(id.certificate())).toList());
      for (Identity identity : identities) {
        KitWriter.write(wip.resolve(identity.name()), consortium, identity, ca.certificate(), ca,
            coordinator.toString());
      }
      // The coordinator starts with the first, empty CRL where it looks for revocations (see StartupKit.crlFile).
      Files.copy(wip.resolve(CA_DIR).resolve(CaStore.CRL), wip.resolve(COORDINATOR).resolve("startup/crl.pem"));
      List<String> folders = new ArrayList<>();
      folders.add(CA_DIR);
      folders.addAll(participants.keySet());
      for (String folder : folders) {
        Files.move(wip.resolve(folder), out.resolve(folder), StandardCopyOption.ATOMIC_MOVE);
        moved.add(folder);
      }
    } catch (IOException e) {
      rollBack(out, wip, moved);
      throw new UncheckedIOException("cannot write the consortium into " + out + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      rollBack(out, wip, moved);
      throw e;
    } finally {
      deleteRecursively(wip);
    }

    Map<String, Path> kits = new LinkedHashMap<>();
    for (String name : participants.keySet()) {
      kits.put(name, out.resolve(name));
    }
    return new ProvisionResult(out.resolve(CA_DIR), kits);
  }

  /** Participants by name in kit order (coordinator, sites, admins, auditors); throws for any bad input. */
  private static Map<String, Role> validate(String consortium, String coordinatorHostPort, List<String> sites,
      List<String> admins, List<String> auditors) {
    if (!ParticipantNames.isValid(consortium)) {
      throw badName("--consortium", consortium);
    }
    try {
      Endpoint.parse(coordinatorHostPort);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--coordinator: " + e.getMessage(), e);
    }
    if (sites == null || sites.isEmpty()) {
      throw new IllegalArgumentException("--sites: at least one site is needed");
    }
    if (admins == null || admins.isEmpty()) {
      throw new IllegalArgumentException("--admins: at least one admin is needed");
    }
    Map<String, Role> participants = new LinkedHashMap<>();
    Map<String, String> flagOf = new HashMap<>();
    participants.put(COORDINATOR, Role.COORDINATOR);
    add(participants, flagOf, "--sites", sites, Role.SITE);
    add(participants, flagOf, "--admins", admins, Role.ADMIN);
    add(participants, flagOf, "--auditors", auditors == null ? List.of() : auditors, Role.AUDITOR);
    return participants;
  }

  private static void add(Map<String, Role> participants, Map<String, String> flagOf, String flag, List<String> names,
      Role role) {
    for (String name : names) {
      if (!ParticipantNames.isValid(name)) {
        throw badName(flag, name);
      }
      if (name.equals(COORDINATOR) || name.equals(CA_DIR)) {
        throw new IllegalArgumentException(flag + ": '" + name + "' is reserved for the "
            + (name.equals(COORDINATOR) ? "coordinator's kit" : "consortium CA folder") + "; choose another name");
      }
      String earlier = flagOf.putIfAbsent(name, flag);
      if (earlier != null) {
        throw new IllegalArgumentException(earlier.equals(flag)
            ? flag + ": '" + name + "' is listed twice"
            : flag + ": '" + name + "' is already listed in " + earlier + "; each participant needs its own name");
      }
      participants.put(name, role);
    }
  }

  private static IllegalArgumentException badName(String flag, String name) {
    return new IllegalArgumentException(
        flag + ": '" + name + "' is not a valid name; use lowercase letters, digits and '-'");
  }

  private static void refuseExisting(Path out, Iterable<String> names) {
    if (Files.exists(out.resolve(CA_DIR))) {
      throw new KitException(out.resolve(CA_DIR) + " already exists; refusing to overwrite a consortium CA");
    }
    for (String name : names) {
      if (Files.exists(out.resolve(name))) {
        throw new KitException("kit " + out.resolve(name) + " already exists; refusing to overwrite a kit");
      }
    }
  }

  private static Path createWip(Path out) {
    try {
      Files.createDirectories(out);
      // Inside out, so that the final renames stay on one file system and are atomic.
      return Files.createTempDirectory(out, ".wip-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a work folder in " + out + ": " + e.getMessage(), e);
    }
  }

  /** Moves already placed folders back into the work folder, which the caller then deletes. */
  private static void rollBack(Path out, Path wip, List<String> moved) {
    for (String folder : moved) {
      try {
        Files.move(out.resolve(folder), wip.resolve(folder), StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        // The original error matters more; this folder stays, and it is a complete kit.
      }
    }
  }

  /** Best effort: a leftover work folder holds no kit in place, so it must not hide the real outcome. */
  private static void deleteRecursively(Path root) {
    try {
      AtomicFiles.deleteTree(root);
    } catch (IOException e) {
      LOG.warn("could not remove the work folder {}; delete it by hand: {}", root, e.toString());
    }
  }
}
