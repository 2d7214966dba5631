package org.medfl.common.kit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.medfl.common.crypto.Digests;
import org.medfl.common.crypto.Signatures;
import org.medfl.common.pki.ConsortiumCa;
import org.medfl.common.pki.Identity;
import org.medfl.common.pki.Peer;
import org.medfl.common.pki.Pem;
import org.medfl.common.pki.PkiException;
import org.medfl.common.pki.Role;
import org.medfl.common.pki.SubjectNames;

/**
 * A participant's startup kit, loaded and checked: every signed file matches the CA-signed manifest, the certificate
 * was issued by the kit's CA, the key belongs to it and only its owner may read it, and kit.json agrees with the
 * certificate.
 *
 * <p>A kit signed from a signing request has a manifest without the key: the CA never saw it. Its key is still
 * required, owner-only, and must belong to the signed certificate.
 *
 * <p>A kit whose files were all replaced consistently (new CA included) still loads; the coordinator's TLS trust in
 * the real consortium CA is what stops it.
 */
public final class StartupKit {

  private final Path dir;
  private final String consortium;
  private final Identity identity;
  private final X509Certificate caCertificate;
  private final Endpoint coordinator;

  private StartupKit(Path dir, String consortium, Identity identity, X509Certificate caCertificate,
      Endpoint coordinator) {
    this.dir = dir;
    this.consortium = consortium;
    this.identity = identity;
    this.caCertificate = caCertificate;
    this.coordinator = coordinator;
  }

  /**
   * Loads and validates the kit in {@code dir}.
   *
   * @throws KitException naming the kit and the file when anything is missing, unreadable, modified or inconsistent
   */
  public static StartupKit load(Path dir) {
    return new Loader(dir, null).load();
  }

  /**
   * Loads the kit in {@code dir} with the private key in {@code keyFile} instead of its own startup/key.pem: checks
   * a kit signed from a request against the key that enrollment kept, before the two are put together.
   */
  static StartupKit loadWithKey(Path dir, Path keyFile) {
    return new Loader(dir, keyFile).load();
  }

  /** The kit folder. */
  public Path dir() {
    return dir;
  }

  /** The consortium the kit belongs to. */
  public String consortium() {
    return consortium;
  }

  /** The participant name. */
  public String name() {
    return identity.name();
  }

  /** The participant's role. */
  public Role role() {
    return identity.role();
  }

  /** The participant's certificate and key, e.g. for {@code TlsCredentials}. */
  public Identity identity() {
    return identity;
  }

  /** The consortium CA certificate, the only TLS trust anchor. */
  public X509Certificate caCertificate() {
    return caCertificate;
  }

  /**
   * Where a coordinator reads the consortium's certificate revocation list: {@code startup/crl.pem}. The CRL is
   * signed by the CA itself, so it sits outside the manifest and is replaced whenever the CA revokes someone.
   */
  public Path crlFile() {
    return dir.resolve(KitLayout.CRL);
  }

  /** The coordinator's host name or IP address. */
  public String coordinatorHost() {
    return coordinator.host();
  }

  /** The coordinator's TCP port. */
  public int coordinatorPort() {
    return coordinator.port();
  }

  /**
   * Returns this kit if its role is one of {@code allowed}.
   *
   * @throws KitException e.g. "kit /x/admin-1 belongs to an admin; this command needs a site kit"
   */
  public StartupKit requireRole(Role... allowed) {
    if (Arrays.asList(allowed).contains(role())) {
      return this;
    }
    String needed = Arrays.stream(allowed).map(Role::certValue).collect(Collectors.joining(" or "));
    throw new KitException("kit " + dir + " belongs to " + withArticle(role()) + "; this command needs "
        + (allowed.length == 0 ? "no kit" : article(allowed[0]) + needed + " kit"));
  }

  private static String withArticle(Role role) {
    return article(role) + role.certValue();
  }

  private static String article(Role role) {
    return role == Role.ADMIN || role == Role.AUDITOR ? "an " : "a ";
  }

  /** One load, so that every message can name the kit without passing it around. */
  private static final class Loader {
    private final Path dir;
    private final Path keyFile;
    private final String keyName;

    /** @param keyFile the private key to use instead of the kit's startup/key.pem; null for the kit's own */
    Loader(Path dir, Path keyFile) {
      this.dir = dir;
      this.keyFile = keyFile != null ? keyFile : dir.resolve(KitLayout.KEY);
      this.keyName = keyFile != null ? keyFile.toString() : KitLayout.KEY;
    }

    StartupKit load() {
      if (!Files.isDirectory(dir)) {
        throw new KitException("kit " + dir + (Files.exists(dir) ? " is not a directory" : " does not exist"));
      }
      for (String file : KitLayout.REQUIRED_FILES) {
        requireFile(file);
      }
      requireFile(KitLayout.MANIFEST);
      X509Certificate ca = certificate(KitLayout.CA);
      boolean keySigned = checkManifest(ca);
      if (!keySigned && !Files.exists(keyFile)) {
        throw fail(keyName + " is missing: this kit was signed from a signing request and carries no key;"
            + " install it into the kit that holds your key with: fl site enroll --complete " + dir + " --kit KIT");
      }
      if (!Files.isRegularFile(keyFile) || !Files.isReadable(keyFile)) {
        throw fail(keyName + (Files.isRegularFile(keyFile) ? " is not readable by this user" : " is missing"));
      }
      X509Certificate cert = certificate(KitLayout.CERT);
      if (!ConsortiumCa.issued(ca, cert)) {
        throw fail(KitLayout.CERT + " was not issued by the consortium CA in " + KitLayout.CA);
      }
      PrivateKey key = privateKey();
      if (!ConsortiumCa.keyMatches(key, cert.getPublicKey())) {
        throw fail(keyName + " is not the private key of " + KitLayout.CERT);
      }
      Peer peer;
      try {
        peer = Peer.of(cert);
      } catch (PkiException e) {
        throw fail(KitLayout.CERT + " does not name a participant: " + e.getMessage(), e);
      }
      JsonNode kit = kitJson();
      String consortium = text(kit, "consortium");
      String name = text(kit, "name");
      Role role;
      try {
        role = Role.fromCertValue(text(kit, "role"));
      } catch (IllegalArgumentException e) {
        throw fail(KitLayout.KIT_JSON + " has an unknown role: " + e.getMessage(), e);
      }
      if (role != peer.role()) {
        throw fail(KitLayout.CERT + " is for " + withArticle(peer.role()) + " but " + KitLayout.KIT_JSON
            + " says " + role.certValue());
      }
      if (!name.equals(peer.name())) {
        throw fail(KitLayout.CERT + " is for '" + peer.name() + "' but " + KitLayout.KIT_JSON + " says '" + name + "'");
      }
      if (!SubjectNames.organization(cert).orElse("").equals(consortium)) {
        throw fail(KitLayout.CERT + " belongs to consortium '" + SubjectNames.organization(cert).orElse("")
            + "' but " + KitLayout.KIT_JSON + " says '" + consortium + "'");
      }
      Endpoint coordinator;
      try {
        coordinator = Endpoint.parse(text(kit, "coordinator"));
      } catch (IllegalArgumentException e) {
        throw fail(KitLayout.KIT_JSON + " has a bad coordinator address: " + e.getMessage(), e);
      }
      return new StartupKit(dir, consortium, new Identity(name, role, cert, key), ca, coordinator);
    }

    /** Checks the manifest's signature and every file it covers; true if it covers the private key too. */
    private boolean checkManifest(X509Certificate ca) {
      JsonNode manifest = json(KitLayout.MANIFEST);
      JsonNode files = manifest.path("files");
      String signature = manifest.path("signature").asText("");
      if (manifest.path("format").asInt(-1) != KitLayout.FORMAT || !files.isObject() || signature.isEmpty()) {
        throw fail(KitLayout.MANIFEST + " is not a format " + KitLayout.FORMAT + " manifest with files and signature");
      }
      SortedMap<String, String> digests = new TreeMap<>();
      for (Map.Entry<String, JsonNode> entry : files.properties()) {
        digests.put(entry.getKey(), entry.getValue().asText());
      }
      byte[] rawSignature;
      try {
        rawSignature = Base64.getDecoder().decode(signature);
      } catch (IllegalArgumentException e) {
        throw fail(KitLayout.MANIFEST + " has a signature that is not base64", e);
      }
      byte[] canonical = KitLayout.canonicalManifest(KitLayout.FORMAT, digests);
      if (!Signatures.verify(ca.getPublicKey(), canonical, rawSignature)) {
        throw fail(KitLayout.MANIFEST + " is not signed by the consortium CA in " + KitLayout.CA);
      }
      for (String file : KitLayout.REQUIRED_FILES) {
        if (!digests.containsKey(KitLayout.manifestKey(file))) {
          throw fail(KitLayout.MANIFEST + " does not list " + file);
        }
      }
      boolean keySigned = digests.containsKey(KitLayout.manifestKey(KitLayout.KEY));
      for (String file : KitLayout.SIGNED_FILES) {
        String expected = digests.get(KitLayout.manifestKey(file));
        if (expected == null) {
          continue;
        }
        if (!Files.isRegularFile(dir.resolve(file))) {
          throw fail(file + " is missing");
        }
        if (!expected.equals(Digests.sha256Hex(dir.resolve(file)))) {
          throw fail(file + " does not match its digest in " + KitLayout.MANIFEST
              + " (the kit was modified after provisioning)");
        }
      }
      return keySigned;
    }

    private void requireFile(String file) {
      if (!Files.isRegularFile(dir.resolve(file))) {
        throw fail(file + " is missing");
      }
      if (!Files.isReadable(dir.resolve(file))) {
        throw fail(file + " is not readable by this user");
      }
    }

    private X509Certificate certificate(String file) {
      try {
        return Pem.readCertificate(dir.resolve(file));
      } catch (PkiException e) {
        throw fail(file + " is not a PEM certificate", e);
      }
    }

    private PrivateKey privateKey() {
      try {
        Pem.requireOwnerOnly(keyFile);
      } catch (PkiException e) {
        throw fail(e.getMessage(), e);
      }
      try {
        return Pem.readPrivateKey(keyFile);
      } catch (PkiException e) {
        throw fail(keyName + " is not a readable PEM private key", e);
      }
    }

    private JsonNode kitJson() {
      JsonNode kit = json(KitLayout.KIT_JSON);
      int format = kit.path("format").asInt(-1);
      if (format != KitLayout.FORMAT) {
        throw fail(KitLayout.KIT_JSON + " has format " + kit.path("format") + "; this MedFL reads format "
            + KitLayout.FORMAT);
      }
      return kit;
    }

    private JsonNode json(String file) {
      try {
        JsonNode node = KitLayout.JSON.readTree(dir.resolve(file).toFile());
        if (node == null || !node.isObject()) {
          throw fail(file + " is not a JSON object");
        }
        return node;
      } catch (IOException e) {
        throw fail(file + " is not valid JSON", e);
      }
    }

    private String text(JsonNode kit, String field) {
      JsonNode value = kit.get(field);
      if (value == null || !value.isTextual() || value.asText().isBlank()) {
        throw fail(KitLayout.KIT_JSON + " has no \"" + field + "\"");
      }
      return value.asText();
    }

    private KitException fail(String problem) {
      return new KitException(message(problem));
    }

    private KitException fail(String problem, Throwable cause) {
      return new KitException(message(problem), cause);
    }

    private String message(String problem) {
      return "kit " + dir + ": " + problem;
    }
  }
}
