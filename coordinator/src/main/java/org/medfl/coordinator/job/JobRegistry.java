package org.medfl.coordinator.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.medfl.common.audit.AuditLog;
import org.medfl.common.audit.ChainHead;
import org.medfl.common.crypto.Digests;
import org.medfl.common.job.JobSpec;
import org.medfl.common.pki.Identity;
import org.medfl.coordinator.aggregation.Strategies;
import org.medfl.coordinator.fleet.SiteRoster;
import org.medfl.coordinator.round.RoundDriver;
import org.medfl.coordinator.round.TaskBoard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every job of this coordinator, live or finished, backed by {@code <state>/jobs/}. At start-up it resumes the jobs
 * that were running when the previous process stopped.
 */
public final class JobRegistry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobRegistry.class);
  private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private final Path jobsDir;
  private final Identity signer;
  private final SiteRoster roster;
  private final TaskBoard board;
  private final RoundDriver.InitialModel initialModel;
  private final Map<String, RoundDriver> drivers = new LinkedHashMap<>();
  private final Map<String, Thread> threads = new LinkedHashMap<>();
  private final List<AuditLog> logs = new ArrayList<>();
  private final SecureRandom random = new SecureRandom();

  /**
   * @param stateDir the coordinator's state directory (created if absent)
   * @param signer the coordinator's identity, whose key signs the audit logs
   */
  public JobRegistry(Path stateDir, Identity signer, SiteRoster roster, TaskBoard board,
      RoundDriver.InitialModel initialModel) {
    this.jobsDir = stateDir.resolve("jobs");
    this.signer = signer;
    this.roster = roster;
    this.board = board;
    this.initialModel = initialModel;
    try {
      Files.createDirectories(jobsDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create state directory " + jobsDir + ": " + e.getMessage(), e);
    }
  }

  /** Loads every job in the state directory and restarts those that had not finished. */
  public synchronized void resumeAll() {
    List<Path> dirs;
    try (Stream<Path> list = Files.list(jobsDir)) {
      dirs = list.filter(dir -> Files.exists(dir.resolve("job.json"))).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + jobsDir + ": " + e.getMessage(), e);
    }
    for (Path dir : dirs) {
      JobStore store = new JobStore(dir);
      JobRecord record = store.readRecord();
      String yaml = store.readSpec();
      RoundDriver driver = newDriver(record, JobSpec.parse(yaml), yaml, store);
      drivers.put(record.id(), driver);
      if (!record.state().isFinal()) {
        LOG.info("resuming job {} ({})", record.id(), record.name());
        startThread(driver);
      }
    }
  }

  /**
   * Accepts a job: stores its spec, opens its audit log and starts its rounds.
   *
   * @throws org.medfl.common.job.JobSpecException when the spec is invalid, naming the key
   */
  public synchronized String submit(String yaml, String submittedBy) {
    JobSpec spec = JobSpec.parse(yaml);
    Strategies.byName(spec.strategy());
    Instant now = Instant.now();
    String id = "job-" + ID_TIME.format(now) + "-" + HexFormat.of().formatHex(random.generateSeed(2));
    JobStore store = new JobStore(jobsDir.resolve(id));
    store.writeSpec(yaml);
    AuditLog audit = AuditLog.open(store.auditLog(), signer, id);
    logs.add(audit);
    ChainHead head = audit.append(submittedBy, "job_submitted", Map.of(
        "name", spec.name(), "spec_sha256", Digests.sha256Hex(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        "rounds", spec.rounds(), "model", spec.model().name(), "strategy", spec.strategy()));
    JobRecord record = new JobRecord(id, spec.name(), submittedBy, now.toString(), JobState.SUBMITTED, "submitted", head);
    store.writeRecord(record);
    RoundDriver driver = new RoundDriver(record, spec, yaml, store, audit, Strategies.forJob(spec),
        roster, board, initialModel, signer);
    drivers.put(id, driver);
    startThread(driver);
    LOG.info("job {} ({}) submitted by {}", id, spec.name(), submittedBy);
    return id;
  }

  private RoundDriver newDriver(JobRecord record, JobSpec spec, String yaml, JobStore store) {
    AuditLog audit = AuditLog.open(store.auditLog(), signer, record.id());
    logs.add(audit);
    return new RoundDriver(record, spec, yaml, store, audit, Strategies.forJob(spec), roster, board,
        initialModel, signer);
  }

  private void startThread(RoundDriver driver) {
    Thread thread = new Thread(driver, "job-" + driver.jobId());
    thread.setDaemon(true);
    threads.put(driver.jobId(), thread);
    thread.start();
  }

  /** The job with this id. */
  public synchronized Optional<RoundDriver> find(String jobId) {
    return Optional.ofNullable(drivers.get(jobId));
  }

  /** All jobs, newest first. */
  public synchronized List<RoundDriver> all() {
    List<RoundDriver> all = new ArrayList<>(drivers.values());
    all.sort(Comparator.comparing(RoundDriver::jobId).reversed());
    return all;
  }

  /** The job's state folder. */
  public Path jobDir(String jobId) {
    return jobsDir.resolve(jobId);
  }

  /** Stops the job threads (they resume at their last committed round next time) and closes the audit logs. */
  @Override
  public synchronized void close() {
    threads.values().forEach(Thread::interrupt);
    for (Thread thread : threads.values()) {
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    for (AuditLog log : logs) {
      try {
        log.close();
      } catch (IOException e) {
        LOG.warn("closing audit log {}: {}", log.file(), e.getMessage());
      }
    }
  }
}
