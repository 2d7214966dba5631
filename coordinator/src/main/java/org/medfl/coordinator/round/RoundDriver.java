package org.medfl.coordinator.round;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.medfl.common.audit.AuditLog;
import org.medfl.common.audit.ChainHead;
import org.medfl.common.crypto.Signatures;
import org.medfl.common.crypto.Statements;
import org.medfl.common.pki.Identity;
import org.medfl.common.pki.Pem;
import org.medfl.common.privacy.JobPrivacy;
import org.medfl.common.secagg.SecAggParameters;
import org.medfl.common.job.JobSpec;
import org.medfl.common.metrics.EvaluationMetrics;
import org.medfl.coordinator.aggregation.RoundContext;
import org.medfl.coordinator.aggregation.RoundMetrics;
import org.medfl.coordinator.aggregation.SiteReport;
import org.medfl.coordinator.aggregation.SiteUpdate;
import org.medfl.coordinator.aggregation.Strategy;
import org.medfl.coordinator.fleet.SiteRoster;
import org.medfl.coordinator.job.Checkpoint;
import org.medfl.coordinator.job.JobRecord;
import org.medfl.coordinator.job.JobState;
import org.medfl.coordinator.job.JobStore;
import org.medfl.coordinator.job.RoundRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one job's rounds: select sites, issue tasks, collect verified updates until every selected site answered or
 * the deadline passed, aggregate, store the new global model and commit the round; repeat.
 *
 * <p>The driver, not the strategy, owns the loop, the deadlines, the checkpoints and the audit log, so none of them
 * depends on strategy code. Every state change is written before it is acted on: a coordinator killed at any point
 * resumes at the last committed round.
 */
public final class RoundDriver implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(RoundDriver.class);
  private static final String COORDINATOR = "coordinator";
  private static final Base64.Encoder BASE64 = Base64.getEncoder();
  /** Per-coordinate bound of updates under secure aggregation without DP; model deltas per round are far smaller. */
  static final double SECAGG_DEFAULT_CLIP = 1.0;
  /** Largest example count a site may weigh its update with; sets the fixed-point headroom. */
  static final long SECAGG_MAX_WEIGHT = 1L << 20;

  private final JobSpec spec;
  private final String specYaml;
  private final JobStore store;
  private final AuditLog audit;
  private final Strategy strategy;
  private final SiteRoster roster;
  private final TaskBoard board;
  private final InitialModel initialModel;
  private final Identity signer;
  private final String signerPem;

  private final Object lock = new Object();
  private JobRecord record;
  private Checkpoint checkpoint;
  private float[] global;
  private OpenRound open;
  private SecureRound secure;
  private final EvaluationPhase evaluation;
  private final SecureStages secureStages;
  private boolean abortRequested;
  private String abortedBy;
  private String abortReason;
  private String activity = "starting";

  /** Supplies the round-0 model of a new job. */
  @FunctionalInterface
  public interface InitialModel {
    /** Fresh parameters for the spec's model, deterministic from its seed. */
    float[] create(JobSpec spec);
  }

  /**
   * @param record the job's current record (SUBMITTED for a new job, RUNNING for one being resumed)
   * @param audit the job's open audit log; the driver appends to it and never closes it
   * @param signer the coordinator's identity, whose key signs every global model handed out
   */
  public RoundDriver(JobRecord record, JobSpec spec, String specYaml, JobStore store, AuditLog audit,
      Strategy strategy, SiteRoster roster, TaskBoard board, InitialModel initialModel, Identity signer) {
    this.record = record;
    this.spec = spec;
    this.specYaml = specYaml;
    this.store = store;
    this.audit = audit;
    this.strategy = strategy;
    this.roster = roster;
    this.board = board;
    this.initialModel = initialModel;
    this.signer = signer;
    this.signerPem = Pem.certificatesToPem(signer.certificate());
    this.evaluation = new EvaluationPhase(record.id(), lock, audit, board, () -> abortRequested);
    this.secureStages = new SecureStages(record.id(), lock, board, audit, () -> abortRequested);
  }

  /** The job's id. */
  public String jobId() {
    return record.id();
  }

  /** The job's spec. */
  public JobSpec spec() {
    return spec;
  }

  /** The spec as submitted. */
  public String specYaml() {
    return specYaml;
  }

  @Override
  public void run() {
    Thread.currentThread().setName("job-" + jobId());
    try {
      int round = start();
      int attempts = 0;
      while (round <= spec.rounds() && !aborting()) {
        if (privacyExhaustedBefore(round)) {
          break;
        }
        List<String> candidates = waitForSites();
        if (candidates == null) {
          break;
        }
        List<String> selected = strategy.configureTrain(new RoundContext(jobId(), round, spec), candidates);
        if (selected.size() < spec.minSites()) {
          continue;
        }
        OpenRound finished = spec.secureAggregation() == null ? runRound(round, selected)
            : runSecureRound(round, selected);
        if (aborting()) {
          break;
        }
        if (finished.accepted.size() >= spec.minSites()) {
          commit(finished);
          if (spec.evaluation().due(round, spec.rounds())) {
            evaluate(round);
          }
          round++;
          attempts = 0;
        } else {
          attempts++;
          boolean retry = attempts < spec.maxRoundAttempts();
          recordFailedRound(finished, attempts, retry);
          if (!retry) {
            fail("round " + round + " got fewer than " + spec.minSites() + " usable updates "
                + spec.maxRoundAttempts() + " times in a row (max_round_attempts)");
            return;
          }
        }
      }
      if (aborting()) {
        finishAs(JobState.ABORTED, "aborted by " + abortedBy + (abortReason.isBlank() ? "" : ": " + abortReason),
            "job_aborted", detail("by", abortedBy, "reason", abortReason, "rounds_completed", checkpoint.round()));
      } else if (round <= spec.rounds()) {
        finishAs(JobState.FINISHED, "stopped after " + checkpoint.round() + " rounds: round " + round
            + " would take epsilon above max_epsilon " + spec.dp().maxEpsilon(), "job_finished",
            detail("rounds_completed", checkpoint.round(), "final_model_sha256", checkpoint.modelSha256(),
                "stopped_for", "privacy budget"));
      } else {
        finishAs(JobState.FINISHED, "finished " + checkpoint.round() + " rounds", "job_finished",
            detail("rounds_completed", checkpoint.round(), "final_model_sha256", checkpoint.modelSha256()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.info("job {} interrupted (coordinator stopping); it resumes at its last committed round", jobId());
    } catch (RuntimeException | Error e) {
      LOG.error("job {} failed", jobId(), e);
      fail(e.getClass().getSimpleName() + ": " + e.getMessage());
    } finally {
      board.withdraw(jobId());
    }
  }

  /** Audits a round that ended short of min_sites usable updates, with why and whether it is tried again. */
  private void recordFailedRound(OpenRound failed, int attempt, boolean retry) {
    List<String> missing = failed.missing();
    audit.append(COORDINATOR, "round_failed", detail("round", failed.round, "attempt", attempt,
        "max_round_attempts", spec.maxRoundAttempts(), "accepted", failed.accepted.size(),
        "min_sites", spec.minSites(), "rejected", failed.rejected, "missing_sites", missing,
        "next", retry ? "retry" : "fail the job"));
    LOG.warn("job {} round {} failed (attempt {} of {}): {} usable updates, {} needed{}{}", jobId(), failed.round,
        attempt, spec.maxRoundAttempts(), failed.accepted.size(), spec.minSites(),
        failed.rejected.isEmpty() ? "" : "; refused " + failed.rejected,
        missing.isEmpty() ? "" : "; no answer from " + missing);
  }

  /** True (and audited) when running {@code round} would take the job's epsilon above its max_epsilon. */
  private boolean privacyExhaustedBefore(int round) {
    if (spec.dp() == null) {
      return false;
    }
    double epsilon = JobPrivacy.epsilonAfter(spec, round);
    if (epsilon <= spec.dp().maxEpsilon()) {
      return false;
    }
    audit.append(COORDINATOR, "privacy_budget_reached", detail("round", round, "epsilon_if_run", epsilon,
        "max_epsilon", spec.dp().maxEpsilon(), "delta", spec.dp().delta()));
    LOG.info("job {}: round {} would raise epsilon to {} above max_epsilon {}; stopping", jobId(), round,
        String.format("%.3f", epsilon), spec.dp().maxEpsilon());
    return true;
  }

  /** Loads or creates the round-0 model and marks the job running; returns the next round to run. */
  private int start() {
    Optional<Checkpoint> saved = store.readCheckpoint();
    if (saved.isPresent()) {
      Checkpoint cp = saved.get();
      float[] model = store.readModel(cp.round(), cp.modelSha256());
      if (cp.round() > 0 && !audit.holds("aggregate_produced", cp.round())) {
        // stopped after committing the round and before auditing it
        recordAggregate(cp.rounds().get(cp.rounds().size() - 1), true);
      }
      ChainHead head = audit.append(COORDINATOR, "job_resumed",
          detail("from_round", cp.round() + 1, "model_sha256", cp.modelSha256()));
      synchronized (lock) {
        checkpoint = cp;
        global = model;
        record = record.with(JobState.RUNNING, "resumed after round " + cp.round(), head);
      }
    } else {
      float[] model = initialModel.create(spec);
      String sha = store.writeModel(0, model);
      ChainHead head = audit.append(COORDINATOR, "initial_model",
          detail("model", spec.model().name(), "parameters", model.length, "model_sha256", sha));
      Checkpoint cp = new Checkpoint(0, sha, head, List.of());
      store.writeCheckpoint(cp);
      synchronized (lock) {
        checkpoint = cp;
        global = model;
        record = record.with(JobState.RUNNING, "running", head);
      }
    }
    store.writeRecord(record);
    return checkpoint.round() + 1;
  }

  /** Enrolled, available sites once there are at least min_sites of them; null if the job is aborted meanwhile. */
  private List<String> waitForSites() throws InterruptedException {
    while (!aborting()) {
      List<String> candidates = new ArrayList<>();
      for (String site : roster.available()) {
        if (spec.sites().isEmpty() || spec.sites().contains(site)) {
          candidates.add(site);
        }
      }
      if (candidates.size() >= spec.minSites()) {
        return candidates;
      }
      setActivity("waiting for sites: " + candidates.size() + " of at least " + spec.minSites() + " connected");
      roster.awaitChange(1000);
    }
    return null;
  }

  private OpenRound runRound(int round, List<String> selected) throws InterruptedException {
    long deadline = System.currentTimeMillis() + spec.roundDeadlineSeconds() * 1000L;
    OpenRound current;
    String globalSha;
    long length;
    synchronized (lock) {
      globalSha = checkpoint.modelSha256();
      length = global.length;
      current = new OpenRound(round, new LinkedHashSet<>(selected),
          strategy.startAggregation(new RoundContext(jobId(), round, spec), global), deadline);
      open = current;
      activity = "round " + round + " open: waiting for " + selected;
    }
    byte[] signature = Signatures.sign(signer.privateKey(), Statements.globalModel(jobId(), round, globalSha));
    ChainHead head = audit.append(COORDINATOR, "round_opened", detail("round", round, "sites", selected,
        "global_model_sha256", globalSha, "global_model_signature", BASE64.encodeToString(signature),
        "deadline_epoch_millis", deadline, "strategy", strategy.name()));
    LOG.info("job {} round {}/{} opened for {}", jobId(), round, spec.rounds(), selected);
    for (String site : selected) {
      board.assign(site, new TrainTask(jobId(), round, specYaml, globalSha, length, deadline, signature, signerPem,
          head, false, null));
    }
    synchronized (lock) {
      while (!current.everyoneAnswered() && !abortRequested) {
        long remaining = deadline - System.currentTimeMillis();
        if (remaining <= 0) {
          break;
        }
        lock.wait(Math.min(remaining, 1000));
      }
      current.closed = true;
    }
    board.withdraw(jobId());
    List<String> missing = current.missing();
    if (!missing.isEmpty() && !aborting()) {
      audit.append(COORDINATOR, "deadline_passed", detail("round", round, "missing_sites", missing));
    }
    return current;
  }

  /** A round under secure aggregation (see {@link SecureStages}); the sites train during its masked-input stage. */
  private OpenRound runSecureRound(int round, List<String> selected) throws InterruptedException {
    long deadline = System.currentTimeMillis() + spec.roundDeadlineSeconds() * 1000L;
    long keyStageMillis = Math.min(60_000, spec.roundDeadlineSeconds() * 1000L / 4);
    double clip = spec.dp() != null ? spec.dp().clip() : SECAGG_DEFAULT_CLIP;
    SecAggParameters parameters = SecAggParameters.of(spec.secureAggregation(), selected.size(), clip,
        SECAGG_MAX_WEIGHT);
    float[][] result = new float[1][];
    OpenRound current;
    SecureRound protocol;
    String globalSha;
    int length;
    synchronized (lock) {
      globalSha = checkpoint.modelSha256();
      length = global.length;
      current = new OpenRound(round, new LinkedHashSet<>(selected), new Precomputed(result), deadline);
      protocol = new SecureRound(jobId(), round, selected, parameters, global.length);
      open = current;
      secure = protocol;
    }
    byte[] signature = Signatures.sign(signer.privateKey(), Statements.globalModel(jobId(), round, globalSha));
    ChainHead head = audit.append(COORDINATOR, "round_opened", detail("round", round, "sites", selected,
        "global_model_sha256", globalSha, "global_model_signature", BASE64.encodeToString(signature),
        "deadline_epoch_millis", deadline, "strategy", strategy.name(), "secure_aggregation",
        detail("threshold", spec.secureAggregation().threshold(), "clip", clip, "max_weight", SECAGG_MAX_WEIGHT)));
    LOG.info("job {} round {}/{} opened with secure aggregation for {}", jobId(), round, spec.rounds(), selected);
    try {
      float[] mean = secureStages.run(current, protocol, deadline, keyStageMillis,
          (stage, site) -> new TrainTask(jobId(), round, specYaml, globalSha, length, deadline,
              signature, signerPem, head, false, new SecAggTaskData(stage, selected.size(),
                  spec.secureAggregation().threshold(), clip, SECAGG_MAX_WEIGHT, protocol.inputsFor(site),
                  protocol.certificates())),
          this::setActivity);
      if (mean != null) {
        synchronized (lock) {
          float[] next = new float[global.length];
          for (int i = 0; i < next.length; i++) {
            next[i] = global[i] + mean[i];
          }
          result[0] = next;
        }
      }
    } finally {
      synchronized (lock) {
        secure = null;
      }
    }
    return current;
  }

  /** The accumulator of a secure round: the unmasked result, set once the protocol finished. */
  private static final class Precomputed implements org.medfl.coordinator.aggregation.Accumulator {
    private final float[][] result;

    Precomputed(float[][] result) {
      this.result = result;
    }

    @Override
    public void add(SiteUpdate update) {
      throw new UnsupportedOperationException("secure rounds never see individual updates");
    }

    @Override
    public int count() {
      return result[0] == null ? 0 : 1;
    }

    @Override
    public float[] result() {
      return result[0];
    }
  }

  private void commit(OpenRound finished) {
    float[] next = finished.accumulator.result();
    int round = finished.round;
    String sha = store.writeModel(round, next);
    List<SiteReport> reports = new ArrayList<>(finished.accepted.values());
    RoundMetrics metrics = strategy.aggregateEvaluate(new RoundContext(jobId(), round, spec), reports);
    List<String> rejected = new ArrayList<>();
    finished.rejected.forEach((site, reason) -> rejected.add(site + ": " + reason));
    double seconds = (System.nanoTime() - finished.openedNanos) / 1e9;
    Double epsilon = spec.dp() == null ? null : JobPrivacy.epsilonAfter(spec, round);
    RoundRecord roundRecord = new RoundRecord(round, new ArrayList<>(finished.accepted.keySet()), rejected,
        finished.missing(), metrics.numExamples(), metrics.trainLoss(), metrics.valAccuracy(), seconds, sha, reports,
        epsilon, null, Map.of());
    List<RoundRecord> rounds = new ArrayList<>(checkpoint.rounds());
    rounds.add(roundRecord);
    // The checkpoint is the commit; the audit record follows it, so a crash between the two can only leave a
    // committed round not yet audited (recorded on resume), never an audited round that is then run again.
    Checkpoint cp = new Checkpoint(round, sha, audit.head(), rounds);
    store.writeCheckpoint(cp);
    ChainHead head = recordAggregate(roundRecord, false);
    synchronized (lock) {
      checkpoint = cp;
      global = next;
      open = null;
      record = record.with(JobState.RUNNING, "round " + round + " of " + spec.rounds() + " done", head);
    }
    store.writeRecord(record);
    LOG.info("job {} round {}/{} committed: {} sites, loss {}, val acc {}", jobId(), round, spec.rounds(),
        roundRecord.sites().size(), String.format("%.4f", metrics.trainLoss()),
        String.format("%.4f", metrics.valAccuracy()));
  }

  /** Appends the audit record of a committed round: its model, signature, sites and privacy spent. */
  private ChainHead recordAggregate(RoundRecord committed, boolean onResume) {
    int round = committed.round();
    byte[] modelSignature = Signatures.sign(signer.privateKey(),
        Statements.globalModel(jobId(), round, committed.modelSha256()));
    Map<String, Object> details = detail("round", round, "model_sha256", committed.modelSha256(),
        "model_signature", BASE64.encodeToString(modelSignature), "sites", committed.sites(),
        "num_examples", committed.numExamples(), "strategy", strategy.name(),
        "epsilon", committed.epsilon() == null ? "none" : committed.epsilon());
    if (onResume) {
      details.put("recorded_on_resume", true);
    }
    return audit.append(COORDINATOR, "aggregate_produced", details);
  }

  /**
   * Asks every enrolled, available site to evaluate the model just committed after {@code round} on its held-out
   * split, waits for their reports until the round deadline, and records the per-site and the example-weighted
   * metrics in the round's record.
   */
  private void evaluate(int round) throws InterruptedException {
    List<String> sites = new ArrayList<>();
    for (String site : roster.available()) {
      if (spec.sites().isEmpty() || spec.sites().contains(site)) {
        sites.add(site);
      }
    }
    if (sites.isEmpty()) {
      audit.append(COORDINATOR, "evaluation_skipped", detail("round", round, "reason", "no site available"));
      return;
    }
    long deadline = System.currentTimeMillis() + spec.roundDeadlineSeconds() * 1000L;
    String sha;
    long length;
    synchronized (lock) {
      sha = checkpoint.modelSha256();
      length = global.length;
      activity = "round " + round + ": evaluating the global model at " + sites;
    }
    byte[] signature = Signatures.sign(signer.privateKey(), Statements.globalModel(jobId(), round, sha));
    Map<String, EvaluationMetrics> reports = evaluation.run(round, sha, sites, deadline,
        head -> new TrainTask(jobId(), round, specYaml, sha, length, deadline, signature, signerPem, head, true, null));
    if (reports.isEmpty()) {
      audit.append(COORDINATOR, "evaluation_skipped", detail("round", round, "reason", "no site reported in time"));
      return;
    }
    EvaluationMetrics aggregate = EvaluationMetrics.weightedMean(new ArrayList<>(reports.values()));
    ChainHead committed = audit.append(COORDINATOR, "evaluation_aggregated", detail("round", round,
        "sites", new ArrayList<>(reports.keySet()), "examples", aggregate.examples(),
        "accuracy", aggregate.accuracy(), "macro_recall", aggregate.macroRecall(),
        "macro_specificity", aggregate.macroSpecificity(), "auc", aggregate.auc()));
    List<RoundRecord> rounds = new ArrayList<>(checkpoint.rounds());
    RoundRecord last = rounds.remove(rounds.size() - 1);
    rounds.add(last.withEvaluation(aggregate, new LinkedHashMap<>(reports)));
    Checkpoint cp = new Checkpoint(checkpoint.round(), checkpoint.modelSha256(), committed, rounds);
    store.writeCheckpoint(cp);
    synchronized (lock) {
      checkpoint = cp;
      record = record.with(record.state(), record.message(), committed);
    }
    store.writeRecord(record);
  }

  /**
   * Takes one site's evaluation of the round's committed model.
   *
   * @throws UpdateRejected when no evaluation of that round is open for the site, or the report does not fit the job
   */
  public void acceptEvaluation(String site, int round, String modelSha256, EvaluationMetrics parsed)
      throws UpdateRejected {
    evaluation.accept(site, round, modelSha256, parsed);
  }

  private void finishAs(JobState state, String message, String event, Map<String, Object> details) {
    ChainHead head = audit.append(COORDINATOR, event, details);
    synchronized (lock) {
      record = record.with(state, message, head);
      activity = message;
      lock.notifyAll();
    }
    store.writeRecord(record);
    LOG.info("job {}: {}", jobId(), message);
  }

  private void fail(String reason) {
    try {
      finishAs(JobState.FAILED, "failed: " + reason, "job_failed", detail("reason", reason));
    } catch (RuntimeException e) {
      LOG.error("job {} could not record its failure", jobId(), e);
    }
  }

  /**
   * Checks an update's header before its bytes are read.
   *
   * @return the number of float32 values the update must have
   * @throws UpdateRejected when the site may not send this update; the refusal is audited
   */
  public long admit(String site, UpdateOffer offer) throws UpdateRejected {
    synchronized (lock) {
      String problem = admissionProblem(site, offer);
      if (problem != null) {
        throw refuse(site, offer.round(), problem, offer.sha256());
      }
      // A masked vector carries one more word than the model: the masked example count.
      return secure == null ? global.length : global.length + 1L;
    }
  }

  private String admissionProblem(String site, UpdateOffer offer) {
    if (open == null || open.closed || open.round != offer.round()) {
      return "round " + offer.round() + " of job " + jobId() + " is not open"
          + (open != null && !open.closed ? " (round " + open.round + " is)" : "");
    }
    if (!open.selected.contains(site)) {
      return "site " + site + " was not selected for round " + offer.round();
    }
    if (open.answered(site)) {
      return "site " + site + " already sent its update for round " + offer.round();
    }
    if (!checkpoint.modelSha256().equals(offer.baseSha256())) {
      return "update was computed from model " + shortSha(offer.baseSha256()) + ", not the round's global model "
          + shortSha(checkpoint.modelSha256());
    }
    if (offer.masked() != (secure != null)) {
      return offer.masked() ? "round " + offer.round() + " does not use secure aggregation"
          : "round " + offer.round() + " uses secure aggregation; plain updates are refused";
    }
    if (secure != null && secure.stage() != SecureRound.Stage.MASKED_INPUT) {
      return "secure aggregation of round " + offer.round() + " is at " + secure.stage() + ", not MASKED_INPUT";
    }
    long expectedLength = secure == null ? global.length : global.length + 1L;
    if (offer.length() != expectedLength) {
      return "update has " + offer.length() + " values, the model has " + global.length;
    }
    String reported = offer.reportProblem();
    if (reported != null) {
      return reported;
    }
    if (!offer.signedBy(site)) {
      return "update signature does not verify with site " + site + "'s certificate";
    }
    return null;
  }

  /**
   * True when this exact update (same site, round and digest) was already counted: the site is retrying an upload
   * whose acknowledgement it never received. The retry is audited and answered as accepted, and counted only once.
   */
  public boolean alreadyCounted(String site, UpdateOffer offer) {
    synchronized (lock) {
      SiteReport counted = null;
      if (open != null && open.round == offer.round()) {
        counted = open.accepted.get(site);
      } else {
        for (RoundRecord done : checkpoint.rounds()) {
          if (done.round() == offer.round()) {
            counted = done.reports().stream().filter(r -> r.site().equals(site)).findFirst().orElse(null);
          }
        }
      }
      if (counted == null || !counted.sha256().equals(offer.sha256())) {
        return false;
      }
      if (!offer.signedBy(site)) {
        return false;
      }
      audit.append(site, "update_retransmitted", detail("round", offer.round(), "sha256", offer.sha256(),
          "counted", "once"));
      LOG.info("job {} round {}: {} sent its update again (acknowledgement lost?); it counts once", jobId(),
          offer.round(), site);
      return true;
    }
  }

  /**
   * A site says it will not do its task of {@code round} (training or evaluation): the round stops waiting for it.
   *
   * @throws UpdateRejected when the site has no open task in that round
   */
  public void decline(String site, int round, String reason) throws UpdateRejected {
    synchronized (lock) {
      boolean training = open != null && !open.closed && open.round == round && open.selected.contains(site)
          && !open.answered(site);
      if (training) {
        open.rejected.put(site, "declined: " + reason);
        if (secure != null) {
          secure.drop(site);
        }
      } else if (!evaluation.decline(site, round)) {
        throw new UpdateRejected("site " + site + " has no open task in round " + round + " of job " + jobId());
      }
      audit.append(site, "task_declined", detail("round", round, "reason", reason,
          "task", training ? "train" : "evaluate"));
      board.complete(site, jobId(), round);
      lock.notifyAll();
      LOG.warn("job {} round {}: {} declined its task: {}", jobId(), round, site, reason);
    }
  }

  /** Records that a site's update was refused after admission (bad digest, non-finite values...). */
  public UpdateRejected reject(String site, int round, String reason, String sha256) {
    synchronized (lock) {
      return refuse(site, round, reason, sha256);
    }
  }

  private UpdateRejected refuse(String site, int round, String reason, String sha256) {
    Map<String, Object> details = detail("round", round, "site", site, "reason", bounded(reason), "sha256",
        bounded(sha256));
    audit.append(site, "update_rejected", details);
    if (open != null && !open.closed && open.round == round && open.selected.contains(site) && !open.answered(site)) {
      open.rejected.put(site, bounded(reason));
      if (secure != null) {
        secure.drop(site);
      }
      board.complete(site, jobId(), round);
      lock.notifyAll();
    }
    LOG.warn("job {} round {}: update from {} rejected: {}", jobId(), round, site, reason);
    return new UpdateRejected(reason);
  }

  /** Adds a fully received and verified update to the round's aggregate. */
  public void accept(String site, int round, SiteUpdate update, byte[] signature) throws UpdateRejected {
    synchronized (lock) {
      if (open == null || open.closed || open.round != round || open.answered(site)) {
        throw refuse(site, round, "round " + round + " closed before the update was complete", update.sha256());
      }
      open.accumulator.add(update);
      open.accepted.put(site, update.report());
      audit.append(site, "update_received", detail("round", round, "sha256", update.sha256(),
          "bytes", (long) update.delta().length * Float.BYTES, "num_examples", update.numExamples(),
          "train_loss", update.trainLoss(), "val_accuracy", update.valAccuracy(),
          "signature", BASE64.encodeToString(signature)));
      board.complete(site, jobId(), round);
      lock.notifyAll();
    }
  }

  /**
   * Takes a masked secure-aggregation vector (already length- and digest-checked): it is added to the masked sum,
   * and only its digest, size and signature are recorded.
   */
  public void acceptMasked(String site, int round, SiteReport report, int[] words, byte[] signature)
      throws UpdateRejected {
    synchronized (lock) {
      if (open == null || open.closed || open.round != round || secure == null) {
        throw refuse(site, round, "no secure aggregation round " + round + " is open", report.sha256());
      }
      try {
        secure.acceptMasked(site, jobId(), round, words);
      } catch (UpdateRejected e) {
        throw refuse(site, round, e.getMessage(), report.sha256());
      }
      open.accepted.put(site, report);
      audit.append(site, "masked_update_received", detail("round", round, "sha256", report.sha256(),
          "bytes", (long) words.length * Integer.BYTES, "signature", BASE64.encodeToString(signature)));
      board.complete(site, jobId(), round);
      lock.notifyAll();
    }
  }

  /** Takes a small secure-aggregation message (keys, shares, unmasking shares) from {@code site}. */
  public void acceptSecAgg(String site, int round, SecureRound.Stage stage, byte[] payload, String certificatePem)
      throws UpdateRejected {
    synchronized (lock) {
      if (open == null || open.closed || open.round != round || secure == null) {
        throw new UpdateRejected("no secure aggregation round " + round + " of job " + jobId() + " is open");
      }
      try {
        secure.accept(site, stage, payload, certificatePem);
      } catch (UpdateRejected e) {
        audit.append(site, "secagg_message_rejected", detail("round", round, "stage", stage.name(),
            "reason", bounded(e.getMessage())));
        throw e;
      }
      board.complete(site, jobId(), round);
      lock.notifyAll();
    }
  }

  /**
   * The global model a selected site must train in {@code round}.
   *
   * @throws UpdateRejected when the round is not open or the site not selected
   */
  public float[] modelFor(String site, int round) throws UpdateRejected {
    synchronized (lock) {
      if (evaluation.evaluating(site, round)) {
        return global;
      }
      if (open == null || open.closed || open.round != round) {
        throw new UpdateRejected("round " + round + " of job " + jobId() + " is not open");
      }
      if (!open.selected.contains(site)) {
        throw new UpdateRejected("site " + site + " was not selected for round " + round);
      }
      return global;
    }
  }

  /** The latest committed global model and its round. */
  public CommittedModel latestModel() {
    synchronized (lock) {
      return new CommittedModel(checkpoint == null ? 0 : checkpoint.round(), global,
          checkpoint == null ? null : checkpoint.modelSha256());
    }
  }

  /** A committed global model. */
  public record CommittedModel(int round, float[] parameters, String sha256) {}

  /** Asks the job to stop after the current round's bookkeeping. */
  public void abort(String by, String reason) {
    synchronized (lock) {
      if (record.state().isFinal()) {
        throw new IllegalStateException("job " + jobId() + " already " + record.state().name().toLowerCase());
      }
      abortRequested = true;
      abortedBy = by;
      abortReason = reason == null ? "" : reason;
      lock.notifyAll();
    }
  }

  private boolean aborting() {
    synchronized (lock) {
      return abortRequested;
    }
  }

  private void setActivity(String text) {
    synchronized (lock) {
      activity = text;
    }
  }

  /** A consistent view of the job for status queries. */
  public JobSnapshot snapshot() {
    synchronized (lock) {
      return new JobSnapshot(record, spec, checkpoint == null ? List.of() : checkpoint.rounds(),
          record.state().isFinal() ? record.message() : activity);
    }
  }

  /** What status queries show. */
  public record JobSnapshot(JobRecord record, JobSpec spec, List<RoundRecord> rounds, String activity) {}

  /** Waits until the job reached a final state; returns false on timeout. */
  public boolean awaitFinal(long millis) throws InterruptedException {
    long until = System.nanoTime() + millis * 1_000_000L;
    synchronized (lock) {
      while (!record.state().isFinal()) {
        long remaining = (until - System.nanoTime()) / 1_000_000L;
        if (remaining <= 0) {
          return false;
        }
        lock.wait(remaining);
      }
      return true;
    }
  }

  /** Text that may quote a site's message, cut so that one refusal cannot add megabytes to the audit log. */
  private static String bounded(String text) {
    return text == null || text.length() <= 1000 ? text : text.substring(0, 1000) + "…";
  }

  static String shortSha(String sha) {
    return sha == null || sha.length() < 12 ? String.valueOf(sha) : sha.substring(0, 12);
  }

  /** Audit details in the order given. */
  static Map<String, Object> detail(Object... keyValues) {
    Map<String, Object> details = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      details.put((String) keyValues[i], keyValues[i + 1]);
    }
    return details;
  }
}
