package org.medfl.deploy.provision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.medfl.common.kit.Endpoint;
import org.medfl.common.kit.KitException;
import org.medfl.common.pki.ConsortiumCa;
import org.medfl.common.pki.Pem;
import org.medfl.common.pki.PkiException;
import org.medfl.common.pki.Revocation;
import org.medfl.common.pki.Role;
import org.medfl.common.store.AtomicFiles;

/**
 * The consortium's CA folder ({@code consortium-ca/}) and its state: the CA's certificate and key, the coordinator
 * address kits name ({@code consortium.json}), the index of every certificate issued and revoked
 * ({@code issued.json}) and the latest revocation list ({@code crl.pem}).
 *
 * <p>The index exists because a CRL names serial numbers, while operators revoke participants by name: without it,
 * the CA could not tell which certificates a name holds. An open store holds a lock on the folder, so two
 * {@code fl provision} commands cannot interleave their updates; every file is replaced atomically.
 */
public final class CaStore implements AutoCloseable {
  static final String CA_CERT = "ca.pem";
  static final String CA_KEY = "ca-key.pem";
  static final String CONSORTIUM = "consortium.json";
  static final String INDEX = "issued.json";
  static final String CRL = "crl.pem";
  private static final String LOCK = ".lock";
  private static final int FORMAT = 1;
  /** How long a CRL is promised to be current; the coordinator only warns once it is past. */
  private static final Duration CRL_VALIDITY = Duration.ofDays(365);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final ConsortiumCa ca;
  private final Endpoint coordinator;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final List<IssuedCertificate> issued;
  private BigInteger crlNumber;

  private CaStore(Path dir, ConsortiumCa ca, Endpoint coordinator, FileChannel lockChannel, FileLock lock,
      List<IssuedCertificate> issued, BigInteger crlNumber) {
    this.dir = dir;
    this.ca = ca;
    this.coordinator = coordinator;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.issued = issued;
    this.crlNumber = crlNumber;
  }

  /**
   * Writes the state files of a new CA folder (the CA's own files are written by {@link ConsortiumCa#writeTo}):
   * consortium.json, an index of {@code issued} and a first, empty CRL.
   */
  static void initialize(Path dir, ConsortiumCa ca, Endpoint coordinator, List<IssuedCertificate> issued) {
    ObjectNode consortium = JSON.createObjectNode();
    consortium.put("format", FORMAT);
    consortium.put("consortium", ca.consortium());
    consortium.put("coordinator", coordinator.toString());
    AtomicFiles.write(dir.resolve(CONSORTIUM), pretty(consortium));
    BigInteger first = BigInteger.ONE;
    writeIndex(dir, issued, first);
    writeCrl(dir, ca, issued, first);
  }

  /**
   * Opens and locks the CA folder {@code dir}.
   *
   * @throws KitException naming the folder and the file when it is not a complete CA folder, or another command holds
   *     it
   * @throws PkiException when the CA key is unreadable, readable by others, or not the CA certificate's
   */
  public static CaStore open(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new KitException("CA folder " + dir + (Files.exists(dir) ? " is not a directory" : " does not exist")
          + "; it is the consortium-ca/ folder that fl provision wrote");
    }
    for (String file : List.of(CA_CERT, CA_KEY, CONSORTIUM, INDEX)) {
      if (!Files.isRegularFile(dir.resolve(file))) {
        throw new KitException("CA folder " + dir + " has no " + file + (file.equals(INDEX) || file.equals(CONSORTIUM)
            ? " (folders made before certificate lifecycle support have none; provision a new consortium)" : ""));
      }
    }
    FileChannel channel;
    FileLock lock;
    try {
      channel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock CA folder " + dir + ": " + e.getMessage(), e);
    }
    if (lock == null) {
      closeQuietly(channel);
      throw new KitException("CA folder " + dir + " is in use by another fl provision command; try again when it ends");
    }
    try {
      ConsortiumCa ca = ConsortiumCa.load(dir.resolve(CA_CERT), dir.resolve(CA_KEY));
      JsonNode consortium = read(dir, CONSORTIUM);
      Endpoint coordinator;
      try {
        coordinator = Endpoint.parse(consortium.path("coordinator").asText(null));
      } catch (IllegalArgumentException e) {
        throw new KitException("CA folder " + dir + ": " + CONSORTIUM + " has a bad coordinator: " + e.getMessage(), e);
      }
      if (!ca.consortium().equals(consortium.path("consortium").asText())) {
        throw new KitException("CA folder " + dir + ": " + CONSORTIUM + " names consortium '"
            + consortium.path("consortium").asText() + "' but " + CA_CERT + " is the CA of '" + ca.consortium() + "'");
      }
      JsonNode index = read(dir, INDEX);
      List<IssuedCertificate> issued = new ArrayList<>();
      for (JsonNode line : index.path("certificates")) {
        issued.add(fromJson(dir, line));
      }
      BigInteger number = new BigInteger(index.path("crl_number").asText("0"));
      return new CaStore(dir, ca, coordinator, channel, lock, issued, number);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  /** The folder. */
  public Path dir() {
    return dir;
  }

  /** The CA, able to certify keys and sign lists. */
  public ConsortiumCa ca() {
    return ca;
  }

  /** The coordinator address new kits name. */
  public Endpoint coordinator() {
    return coordinator;
  }

  /** The latest CRL, to be copied to the coordinator as {@code KIT/startup/crl.pem}. */
  public Path crlFile() {
    return dir.resolve(CRL);
  }

  /** The number of the latest CRL. */
  public BigInteger crlNumber() {
    return crlNumber;
  }

  /** Every certificate this CA issued, oldest first. */
  public List<IssuedCertificate> issued() {
    return List.copyOf(issued);
  }

  /** The certificates issued to {@code name}, oldest first. */
  public List<IssuedCertificate> issuedTo(String name) {
    return issued.stream().filter(c -> c.name().equals(name)).toList();
  }

  /** Adds a newly issued certificate to the index and saves it, before the certificate leaves the CA. */
  void recordIssued(IssuedCertificate certificate) {
    List<IssuedCertificate> next = new ArrayList<>(issued);
    next.add(certificate);
    writeIndex(dir, next, crlNumber);
    issued.add(certificate);
  }

  /**
   * Replaces index lines by their revoked versions, then writes a CRL with the next number listing every revoked
   * certificate; with no lines, only re-issues the CRL (for a fresh next-update date).
   */
  void recordRevoked(List<IssuedCertificate> revoked) {
    List<IssuedCertificate> next = new ArrayList<>(issued);
    for (IssuedCertificate certificate : revoked) {
      int at = indexOf(next, certificate.serial());
      next.set(at, certificate);
    }
    BigInteger number = crlNumber.add(BigInteger.ONE);
    // Index first: a CRL that failed to be written is re-written by the next command, a lost index line is not.
    writeIndex(dir, next, number);
    issued.clear();
    issued.addAll(next);
    crlNumber = number;
    writeCrl(dir, ca, issued, number);
  }

  /** Releases the folder for other commands. */
  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException e) {
      // Closing the channel below releases it too.
    }
    closeQuietly(lockChannel);
  }

  private static void writeCrl(Path dir, ConsortiumCa ca, List<IssuedCertificate> issued, BigInteger number) {
    List<Revocation> revoked = issued.stream().filter(IssuedCertificate::revoked)
        .map(c -> new Revocation(c.serial(), c.revokedAt(), c.reason())).toList();
    Instant now = Instant.now();
    X509CRL crl = ca.revocationList(revoked, number, now, now.plus(CRL_VALIDITY));
    AtomicFiles.write(dir.resolve(CRL), Pem.crlToPem(crl).getBytes(StandardCharsets.US_ASCII));
  }

  private static void writeIndex(Path dir, List<IssuedCertificate> issued, BigInteger crlNumber) {
    ObjectNode index = JSON.createObjectNode();
    index.put("format", FORMAT);
    index.put("crl_number", crlNumber.toString());
    ArrayNode lines = index.putArray("certificates");
    for (IssuedCertificate certificate : issued) {
      ObjectNode line = lines.addObject();
      line.put("serial", certificate.serialHex());
      line.put("name", certificate.name());
      line.put("role", certificate.role().certValue());
      line.put("not_before", certificate.notBefore().toString());
      line.put("not_after", certificate.notAfter().toString());
      line.put("key", certificate.keyFingerprint());
      if (certificate.revoked()) {
        line.put("revoked_at", certificate.revokedAt().toString());
        line.put("reason", certificate.reason().value());
      }
    }
    AtomicFiles.write(dir.resolve(INDEX), pretty(index));
  }

  private static IssuedCertificate fromJson(Path dir, JsonNode line) {
    try {
      Instant revokedAt = line.hasNonNull("revoked_at") ? Instant.parse(line.get("revoked_at").asText()) : null;
      Revocation.Reason reason = line.hasNonNull("reason") ? Revocation.Reason.fromValue(line.get("reason").asText())
          : null;
      return new IssuedCertificate(new BigInteger(line.path("serial").asText(), 16), line.path("name").asText(),
          Role.fromCertValue(line.path("role").asText()), Instant.parse(line.path("not_before").asText()),
          Instant.parse(line.path("not_after").asText()), line.path("key").asText(), revokedAt, reason);
    } catch (IllegalArgumentException | DateTimeParseException | NullPointerException e) {
      throw new KitException("CA folder " + dir + ": " + INDEX + " has a bad line " + line + ": " + e.getMessage(), e);
    }
  }

  private static JsonNode read(Path dir, String file) {
    try {
      JsonNode node = JSON.readTree(dir.resolve(file).toFile());
      if (node == null || !node.isObject() || node.path("format").asInt(-1) != FORMAT) {
        throw new KitException("CA folder " + dir + ": " + file + " is not a format " + FORMAT + " JSON object");
      }
      return node;
    } catch (IOException e) {
      throw new KitException("CA folder " + dir + ": " + file + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  private static int indexOf(List<IssuedCertificate> list, BigInteger serial) {
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).serial().equals(serial)) {
        return i;
      }
    }
    throw new IllegalArgumentException("serial " + serial.toString(16) + " is not in the index");
  }

  private static byte[] pretty(ObjectNode node) {
    try {
      return (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // Nothing was written through it.
    }
  }
}
