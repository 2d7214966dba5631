package org.medfl.common.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.medfl.common.crypto.Digests;
import org.medfl.common.crypto.Signatures;
import org.medfl.common.pki.Identity;
import org.medfl.common.pki.Pem;
import org.medfl.common.store.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only audit log of one job: one signed JSON record per line, each naming the hash of the line before.
 *
 * <p>Each append is on disk ({@code force}) before it returns. Opening an existing log continues its chain; a torn
 * last line left by a crash is cut off and the cut is itself recorded, never done silently. One writer per file.
 */
public final class AuditLog implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
  private static final Pattern EVENT = Pattern.compile("[a-z][a-z0-9_]*");

  private final Path file;
  private final Identity signer;
  private final String jobId;
  private final FileChannel channel;
  private final FileLock lock;
  private ChainHead head;
  private boolean closed;

  private AuditLog(Path file, Identity signer, String jobId, FileChannel channel, FileLock lock, ChainHead head) {
    this.file = file;
    this.signer = signer;
    this.jobId = jobId;
    this.channel = channel;
    this.lock = lock;
    this.head = head;
  }

  /**
   * Opens the log of {@code jobId} at {@code file}, creating it with a log_opened record if absent.
   *
   * @param signer the coordinator identity whose key signs every record
   * @throws AuditException if the file belongs to another job or signer, its last record is unreadable, or another
   *     writer holds it
   */
  public static AuditLog open(Path file, Identity signer, String jobId) {
    Objects.requireNonNull(signer, "signer");
    if (jobId == null || jobId.isBlank()) {
      throw new IllegalArgumentException("jobId must not be blank");
    }
    FileChannel channel = null;
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      boolean created = !Files.exists(file);
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock = lockOrFail(file, channel);
      if (created) {
        forceDirectory(parent);
      }
      AuditLog log = new AuditLog(file, signer, jobId, channel, lock, new ChainHead(0, RecordFormat.GENESIS_PREV));
      log.recover();
      return log;
    } catch (IOException e) {
      closeQuietly(channel);
      throw new AuditException("cannot open audit log " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  /**
   * Appends one signed record and forces it to disk before returning.
   *
   * @param actor a participant name or "coordinator"
   * @param event a snake_case event name, e.g. "round_committed"
   * @param details event fields, written in the map's iteration order (use a LinkedHashMap)
   * @return the chain head after this record
   */
  public synchronized ChainHead append(String actor, String event, Map<String, ?> details) {
    if (closed) {
      throw new IllegalStateException("audit log " + file + " is closed");
    }
    if (actor == null || actor.isBlank()) {
      throw new IllegalArgumentException("actor must not be blank");
    }
    if (event == null || !EVENT.matcher(event).matches()) {
      throw new IllegalArgumentException("event '" + event + "' is not snake_case");
    }
    long seq = head.records() + 1;
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("seq", seq);
    record.put("time", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
    record.put("job", jobId);
    record.put("actor", actor);
    record.put("event", event);
    record.put("details", details == null ? Map.of() : details);
    record.put("prev", head.sha256());
    byte[] unsigned;
    try {
      unsigned = RecordFormat.JSON.writeValueAsBytes(record);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("details of event " + event + " cannot be written as JSON: " + e.getMessage(), e);
    }
    String signature = Base64.getEncoder().encodeToString(Signatures.sign(signer.privateKey(), unsigned));
    byte[] line = RecordFormat.withSignature(unsigned, signature);
    write(line);
    head = new ChainHead(seq, Digests.sha256Hex(line));
    return head;
  }

  /** The chain head after the last record written or recovered. */
  public synchronized ChainHead head() {
    return head;
  }

  /** True when the log holds a record of {@code event} whose details name {@code round}; reads the whole file. */
  public synchronized boolean holds(String event, int round) {
    try {
      for (String line : Files.readAllLines(file)) {
        JsonNode record = RecordFormat.JSON.readTree(line);
        if (event.equals(record.path("event").asText()) && record.path("details").path("round").asInt(-1) == round) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the audit log " + file + ": " + e.getMessage(), e);
    }
  }

  /** The log file. */
  public Path file() {
    return file;
  }

  /** Releases the file; later appends fail. */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }

  private void recover() throws IOException {
    byte[] content = readAll();
    int end = lastNewline(content, content.length) + 1;
    byte[] torn = Arrays.copyOfRange(content, end, content.length);
    if (end > 0) {
      // Check the log is ours before changing a byte of it.
      continueChain(content, end);
    }
    if (torn.length > 0) {
      channel.truncate(end);
      channel.force(true);
    }
    channel.position(end);
    if (end == 0) {
      append("coordinator", RecordFormat.LOG_OPENED,
          Map.of(RecordFormat.SIGNER_CERTIFICATE, Pem.certificatesToPem(signer.certificate())));
    }
    if (torn.length > 0) {
      long after = end == 0 ? 0 : head.records();
      LOG.warn("audit log {}: cut off a torn last record of {} bytes after record {}", file, torn.length, after);
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("after_record", after);
      details.put("bytes_removed", torn.length);
      details.put("removed_sha256", Digests.sha256Hex(torn));
      append("coordinator", "torn_record_truncated", details);
    }
  }

  private byte[] readAll() throws IOException {
    byte[] content = new byte[Math.toIntExact(channel.size())];
    ByteBuffer buffer = ByteBuffer.wrap(content);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, buffer.position()) < 0) {
        break;
      }
    }
    return content;
  }

  private void continueChain(byte[] content, int end) {
    int firstEnd = indexOf(content, (byte) '\n');
    JsonNode first = RecordFormat.parse(Arrays.copyOfRange(content, 0, firstEnd))
        .orElseThrow(() -> new AuditException("audit log " + file + ": line 1 is not valid JSON"));
    if (!jobId.equals(first.path("job").asText())) {
      throw new AuditException("audit log " + file + " belongs to job '" + first.path("job").asText()
          + "', not '" + jobId + "'");
    }
    String pem = first.path("details").path(RecordFormat.SIGNER_CERTIFICATE).asText("");
    X509Certificate ours = signer.certificate();
    if (pem.isEmpty() || !Pem.certificatesFromPem(pem, file + " record 1").get(0).equals(ours)) {
      // Continuing with another key would make every later record fail verification.
      throw new AuditException("audit log " + file + " was opened by a different coordinator certificate;"
          + " start a new log instead of continuing this one");
    }
    int lastStart = lastNewline(content, end - 1) + 1;
    byte[] last = Arrays.copyOfRange(content, lastStart, end - 1);
    JsonNode lastRecord = RecordFormat.parse(last)
        .orElseThrow(() -> new AuditException("audit log " + file + ": the last record is not valid JSON;"
            + " run 'fl audit verify' on it"));
    long seq = lastRecord.path("seq").asLong(-1);
    if (seq < 1) {
      throw new AuditException("audit log " + file + ": the last record has no valid seq");
    }
    head = new ChainHead(seq, Digests.sha256Hex(last));
  }

  private void write(byte[] line) {
    long before;
    try {
      before = channel.position();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write to audit log " + file, e);
    }
    try {
      ByteBuffer buffer = ByteBuffer.allocate(line.length + 1).put(line).put((byte) '\n').flip();
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    } catch (IOException e) {
      // Leave no half record for the next append to build on.
      try {
        channel.truncate(before);
        channel.position(before);
      } catch (IOException ignored) {
        closed = true;
      }
      throw new UncheckedIOException("cannot write to audit log " + file, e);
    }
  }

  private static FileLock lockOrFail(Path file, FileChannel channel) throws IOException {
    FileLock lock = AtomicFiles.tryLockExclusively(channel);
    if (lock == null) {
      throw new AuditException("audit log " + file + " is already open for writing by another AuditLog");
    }
    return lock;
  }

  private static void forceDirectory(Path dir) {
    // Makes the new file's directory entry durable too; not every platform can open a directory.
    try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
      directory.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      LOG.debug("cannot fsync directory {}: {}", dir, e.toString());
    }
  }

  /** The index of the last newline before {@code limit}, or -1. */
  private static int lastNewline(byte[] content, int limit) {
    for (int i = limit - 1; i >= 0; i--) {
      if (content[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static int indexOf(byte[] content, byte b) {
    for (int i = 0; i < content.length; i++) {
      if (content[i] == b) {
        return i;
      }
    }
    return -1;
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // already failing; the first error is the one to report
      }
    }
  }
}
