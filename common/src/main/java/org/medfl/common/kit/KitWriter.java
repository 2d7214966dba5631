package org.medfl.common.kit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.medfl.common.crypto.Digests;
import org.medfl.common.pki.ConsortiumCa;
import org.medfl.common.pki.Identity;
import org.medfl.common.pki.Peer;
import org.medfl.common.pki.Pem;

/** Writes one participant's startup kit, with or without its private key, and signs its manifest with the CA. */
public final class KitWriter {
  private static final String LOCAL_README = """
      This folder belongs to you, the participant. Put local overrides here (for example
      site.yaml copied from a *.sample file). MedFL never overwrites this folder, and it is
      not covered by the kit's signed manifest.

      Do not edit ../startup/: its files are signed by the consortium CA and the kit will
      refuse to load after any change. Ask the consortium's provisioner for a new kit instead.
      """;

  private KitWriter() {}

  /**
   * Writes the kit of {@code id} into {@code kitDir}: startup/ (cert, key, CA, kit.json, signed manifest), local/
   * and transfer/.
   *
   * @param signer the CA that issued {@code id} and whose certificate is {@code caCert}; signs the manifest
   * @param coordinatorHostPort where the participant reaches the coordinator, e.g. "fl.example.org:8443"
   * @throws KitException if {@code kitDir} exists and is not an empty directory
   * @throws IllegalArgumentException if the address is not host:port, or {@code id}, {@code caCert},
   *     {@code signer} and {@code consortium} do not belong together
   */
  public static void write(Path kitDir, String consortium, Identity id, X509Certificate caCert, ConsortiumCa signer,
      String coordinatorHostPort) {
    write(kitDir, consortium, new Peer(id.name(), id.role()), id.certificate(), id, caCert, signer,
        coordinatorHostPort);
  }

  /**
   * Writes a kit without a private key for a certificate issued from a signing request: startup/ (cert, CA, kit.json,
   * a manifest that leaves the key out), local/ and transfer/. The participant adds the key it kept with
   * {@link Enrollment#complete}.
   *
   * @param certificate the participant's certificate; its CN and OU give the kit's name and role
   * @throws KitException if {@code kitDir} exists and is not an empty directory
   * @throws IllegalArgumentException as for {@link #write(Path, String, Identity, X509Certificate, ConsortiumCa,
   *     String)}
   */
  public static void writeWithoutKey(Path kitDir, String consortium, X509Certificate certificate,
      X509Certificate caCert, ConsortiumCa signer, String coordinatorHostPort) {
    write(kitDir, consortium, Peer.of(certificate), certificate, null, caCert, signer, coordinatorHostPort);
  }

  /** Writes the README of a participant's own folder if it is missing, e.g. in a kit assembled by enrollment. */
  static void writeLocalReadme(Path kitDir) throws IOException {
    Path readme = kitDir.resolve(KitLayout.LOCAL_README);
    if (!Files.exists(readme)) {
      Files.writeString(readme, LOCAL_README, StandardCharsets.UTF_8);
    }
  }

  private static void write(Path kitDir, String consortium, Peer peer, X509Certificate certificate, Identity withKey,
      X509Certificate caCert, ConsortiumCa signer, String coordinatorHostPort) {
    Endpoint coordinator = Endpoint.parse(coordinatorHostPort);
    if (!signer.certificate().equals(caCert)) {
      throw new IllegalArgumentException("the kit's CA certificate is not the certificate of the signing CA");
    }
    if (!signer.consortium().equals(consortium)) {
      throw new IllegalArgumentException(
          "consortium '" + consortium + "' is not the CA's consortium '" + signer.consortium() + "'");
    }
    if (!ConsortiumCa.issued(caCert, certificate)) {
      throw new IllegalArgumentException("the certificate of " + peer.name() + " was not issued by the kit's CA");
    }
    refuseExisting(kitDir);
    try {
      Files.createDirectories(kitDir.resolve(KitLayout.STARTUP));
      Files.createDirectories(kitDir.resolve(KitLayout.LOCAL));
      Files.createDirectories(kitDir.resolve(KitLayout.TRANSFER));
      Pem.writeCertificates(kitDir.resolve(KitLayout.CERT), certificate);
      if (withKey != null) {
        Pem.writePrivateKey(kitDir.resolve(KitLayout.KEY), withKey.privateKey());
      }
      Pem.writeCertificates(kitDir.resolve(KitLayout.CA), caCert);
      Files.write(kitDir.resolve(KitLayout.KIT_JSON), kitJson(consortium, peer, coordinator));
      Files.write(kitDir.resolve(KitLayout.MANIFEST),
          manifest(kitDir, withKey != null ? KitLayout.SIGNED_FILES : KitLayout.REQUIRED_FILES, signer));
      writeLocalReadme(kitDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write kit " + kitDir + ": " + e.getMessage(), e);
    }
  }

  private static void refuseExisting(Path kitDir) {
    if (!Files.exists(kitDir)) {
      return;
    }
    boolean empty;
    try (Stream<Path> entries = Files.list(kitDir)) {
      empty = entries.findAny().isEmpty();
    } catch (IOException e) {
      empty = false;
    }
    if (!empty) {
      throw new KitException("kit " + kitDir + " already exists; refusing to overwrite a kit");
    }
  }

  private static byte[] kitJson(String consortium, Peer id, Endpoint coordinator) throws JsonProcessingException {
    ObjectNode kit = KitLayout.JSON.createObjectNode();
    kit.put("format", KitLayout.FORMAT);
    kit.put("consortium", consortium);
    kit.put("name", id.name());
    kit.put("role", id.role().certValue());
    kit.put("coordinator", coordinator.toString());
    return (KitLayout.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(kit) + "\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] manifest(Path kitDir, List<String> signedFiles, ConsortiumCa signer)
      throws JsonProcessingException {
    SortedMap<String, String> digests = new TreeMap<>();
    for (String file : signedFiles) {
      digests.put(KitLayout.manifestKey(file), Digests.sha256Hex(kitDir.resolve(file)));
    }
    byte[] signature = signer.sign(KitLayout.canonicalManifest(KitLayout.FORMAT, digests));
    ObjectNode manifest = KitLayout.JSON.createObjectNode();
    manifest.put("format", KitLayout.FORMAT);
    ObjectNode files = manifest.putObject("files");
    digests.forEach(files::put);
    manifest.put("signature", Base64.getEncoder().encodeToString(signature));
    return (KitLayout.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(manifest) + "\n")
        .getBytes(StandardCharsets.UTF_8);
  }
}
