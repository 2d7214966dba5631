package org.medfl.coordinator.job;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.medfl.common.codec.ParameterCodec;
import org.medfl.common.store.AtomicFiles;

/**
 * One job's folder in the coordinator's state directory.
 *
 * <pre>
 * jobs/&lt;id&gt;/spec.yaml          the spec as submitted
 *            job.json           {@link JobRecord}
 *            checkpoint.json    {@link Checkpoint}: last completed round
 *            models/round-NNNN.bin  global model after round N (float32 little-endian)
 *            audit.log          the signed, hash-chained audit log
 * </pre>
 *
 * <p>Every file is replaced atomically; the model file is written before the checkpoint that names it. Crash tests
 * can halt the JVM between these writes through {@link TestFaultHook}.
 */
public final class JobStore {
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Path dir;

  /** The store of the job in {@code dir} (created on first write). */
  public JobStore(Path dir) {
    this.dir = dir;
  }

  /** The job's folder. */
  public Path dir() {
    return dir;
  }

  /** The job's audit log file. */
  public Path auditLog() {
    return dir.resolve("audit.log");
  }

  /** Writes the spec exactly as submitted. */
  public void writeSpec(String yaml) {
    AtomicFiles.write(dir.resolve("spec.yaml"), yaml.getBytes(StandardCharsets.UTF_8));
  }

  /** The spec exactly as submitted. */
  public String readSpec() {
    try {
      return Files.readString(dir.resolve("spec.yaml"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dir.resolve("spec.yaml") + ": " + e.getMessage(), e);
    }
  }

  /** Replaces job.json. */
  public void writeRecord(JobRecord record) {
    writeJson("job.json", record);
  }

  /** Reads job.json. */
  public JobRecord readRecord() {
    return readJson("job.json", JobRecord.class).orElseThrow(
        () -> new UncheckedIOException(new IOException(dir.resolve("job.json") + " is missing")));
  }

  /** Writes the global model after {@code round}; returns its digest. Call before {@link #writeCheckpoint}. */
  public String writeModel(int round, float[] model) {
    AtomicFiles.writeFloats(modelFile(round), model);
    TestFaultHook.reached(TestFaultHook.MODEL_WRITTEN, round);
    return ParameterCodec.header(model).getSha256();
  }

  /** Reads the global model after {@code round}, checking it against the digest the checkpoint recorded. */
  public float[] readModel(int round, String expectedSha256) {
    float[] model = AtomicFiles.readFloats(modelFile(round));
    String actual = ParameterCodec.header(model).getSha256();
    if (!actual.equals(expectedSha256)) {
      throw new IllegalStateException(modelFile(round) + " does not match its checkpoint (digest " + actual
          + ", expected " + expectedSha256 + "); the state directory was modified");
    }
    return model;
  }

  /** Path of the model file for {@code round}. */
  public Path modelFile(int round) {
    return dir.resolve("models").resolve(String.format("round-%04d.bin", round));
  }

  /** Commits a completed round. */
  public void writeCheckpoint(Checkpoint checkpoint) {
    TestFaultHook.reached(TestFaultHook.BEFORE_CHECKPOINT, checkpoint.round());
    writeJson("checkpoint.json", checkpoint);
    TestFaultHook.reached(TestFaultHook.CHECKPOINT_WRITTEN, checkpoint.round());
  }

  /** The last committed round, if any. */
  public Optional<Checkpoint> readCheckpoint() {
    return readJson("checkpoint.json", Checkpoint.class);
  }

  private void writeJson(String name, Object value) {
    try {
      AtomicFiles.write(dir.resolve(name), JSON.writeValueAsBytes(value));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve(name) + ": " + e.getMessage(), e);
    }
  }

  private <T> Optional<T> readJson(String name, Class<T> type) {
    Path file = dir.resolve(name);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(file.toFile(), type));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
