package org.medfl.client.privacy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.medfl.common.store.AtomicFiles;

/**
 * The privacy loss this site has spent, per job, kept in {@code privacy-budget.json} in the site's state directory
 * and replaced atomically on every change, so a crash leaves the old record or the new, never less than was spent.
 *
 * <p>Across jobs the losses add up by basic composition (Dwork and Roth, "The Algorithmic Foundations of Differential
 * Privacy", Theorem 3.16): jobs that are (eps_i, delta_i)-DP are together (sum eps_i, sum delta_i)-DP. That bound
 * is loose but needs nothing from the jobs beyond their own guarantees. Within a job, the epsilon comes from the
 * RDP accountant and only ever grows.
 *
 * <p>A budget file that cannot be read is an error, not an empty budget: forgetting what was spent would let the
 * site overspend.
 */
public final class PrivacyBudget {
  /** File name in the state directory. */
  public static final String FILE = "privacy-budget.json";
  private static final int VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final Map<String, Spent> jobs;

  /** One job's loss so far. */
  private record Spent(double epsilon, double delta) {}

  private PrivacyBudget(Path file, Map<String, Spent> jobs) {
    this.file = file;
    this.jobs = jobs;
  }

  /**
   * Opens the budget kept in {@code stateDir}; nothing spent when the file does not exist yet.
   *
   * @throws IllegalStateException naming the file when it exists but cannot be read as a budget
   */
  public static PrivacyBudget open(Path stateDir) {
    Path file = stateDir.resolve(FILE);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return new PrivacyBudget(file, new TreeMap<>());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return new PrivacyBudget(file, parse(file, bytes));
  }

  /** The file this budget is kept in. */
  public Path file() {
    return file;
  }

  /** Epsilon spent over all jobs: the sum of each job's epsilon (basic composition). */
  public synchronized double spent() {
    return jobs.values().stream().mapToDouble(Spent::epsilon).sum();
  }

  /** Delta spent over all jobs: the sum of each job's delta (basic composition). */
  public synchronized double spentDelta() {
    return jobs.values().stream().mapToDouble(Spent::delta).sum();
  }

  /** The epsilon recorded for {@code jobId}, 0 when the job has spent nothing here. */
  public synchronized double spentBy(String jobId) {
    Spent s = jobs.get(jobId);
    return s == null ? 0 : s.epsilon();
  }

  /** The delta recorded for {@code jobId}, 0 when the job has spent nothing here. */
  public synchronized double deltaOf(String jobId) {
    Spent s = jobs.get(jobId);
    return s == null ? 0 : s.delta();
  }

  /**
   * Epsilon left under the policy's budget, never below 0; {@link Double#POSITIVE_INFINITY} when the policy has no
   * budget.
   */
  public synchronized double remaining(PrivacyPolicy policy) {
    if (!policy.hasBudget()) {
      return Double.POSITIVE_INFINITY;
    }
    return Math.max(0, policy.budget().epsilon() - spent());
  }

  /**
   * Records that {@code jobId} has now spent {@code epsilonSoFar} in total at {@code delta}, before its update
   * leaves the site, so that a crash cannot lose a loss already incurred. A smaller value than the one recorded
   * changes nothing: a job's loss only grows.
   *
   * @param epsilonSoFar the job's epsilon after its latest round, 0 or more
   * @param delta the delta that epsilon holds at, in (0, 1)
   */
  public synchronized void record(String jobId, double epsilonSoFar, double delta) {
    if (jobId == null || jobId.isBlank()) {
      throw new IllegalArgumentException("job id must not be empty");
    }
    if (!(epsilonSoFar >= 0) || Double.isInfinite(epsilonSoFar)) {
      throw new IllegalArgumentException("epsilon must be 0 or a positive number, got " + epsilonSoFar);
    }
    if (!(delta > 0 && delta < 1)) {
      throw new IllegalArgumentException("delta must be between 0 and 1 (exclusive), got " + delta);
    }
    Spent before = jobs.get(jobId);
    Spent after = before == null ? new Spent(epsilonSoFar, delta)
        : new Spent(Math.max(before.epsilon(), epsilonSoFar), Math.max(before.delta(), delta));
    if (after.equals(before)) {
      return;
    }
    var next = new TreeMap<>(jobs);
    next.put(jobId, after);
    AtomicFiles.write(file, serialise(next));
    jobs.put(jobId, after);
  }

  /**
   * Records a new epsilon for a job whose delta is already recorded; see {@link #record(String, double, double)}.
   *
   * @throws IllegalStateException when the job has no record yet, so its delta is unknown
   */
  public synchronized void record(String jobId, double epsilonSoFar) {
    Spent before = jobs.get(jobId);
    if (before == null) {
      throw new IllegalStateException("job '" + jobId + "' has no privacy record yet; record its delta first");
    }
    record(jobId, epsilonSoFar, before.delta());
  }

  private static byte[] serialise(Map<String, Spent> jobs) {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", VERSION);
    ObjectNode byJob = root.putObject("jobs");
    jobs.forEach((id, s) -> byJob.putObject(id).put("epsilon", s.epsilon()).put("delta", s.delta()));
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root).concat("\n")
          .getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise the privacy budget", e);
    }
  }

  private static Map<String, Spent> parse(Path file, byte[] bytes) {
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (IOException e) {
      throw new IllegalStateException(file + " is not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + "); it records the"
          + " privacy this site has spent, so restore it from a backup rather than delete it", e);
    }
    if (root == null || !root.path("version").isInt() || root.get("version").asInt() != VERSION
        || !root.path("jobs").isObject()) {
      throw new IllegalStateException(file + " is not a version " + VERSION + " privacy budget");
    }
    var jobs = new TreeMap<String, Spent>();
    for (Map.Entry<String, JsonNode> entry : root.get("jobs").properties()) {
      JsonNode epsilon = entry.getValue().get("epsilon");
      JsonNode delta = entry.getValue().get("delta");
      if (epsilon == null || !epsilon.isNumber() || delta == null || !delta.isNumber()
          || !(epsilon.asDouble() >= 0) || !(delta.asDouble() > 0)) {
        throw new IllegalStateException(file + ": job '" + entry.getKey() + "' needs a numeric epsilon and delta");
      }
      jobs.put(entry.getKey(), new Spent(epsilon.asDouble(), delta.asDouble()));
    }
    return jobs;
  }
}
