package org.medfl.coordinator.round;

import static org.medfl.coordinator.round.RoundDriver.detail;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.medfl.common.audit.AuditLog;
import org.medfl.common.audit.ChainHead;
import org.medfl.common.metrics.EvaluationMetrics;

/**
 * Federated evaluation of one committed global model: every available site of the job is asked to evaluate it on its
 * held-out split, and the phase collects their reports until each has answered (or declined) or the deadline passed.
 * Shares its {@link RoundDriver}'s lock, so a site's report and the driver's bookkeeping never interleave.
 */
final class EvaluationPhase {
  private static final String COORDINATOR = "coordinator";

  private final String jobId;
  private final Object lock;
  private final AuditLog audit;
  private final TaskBoard board;
  private final BooleanSupplier abortRequested;
  private Open open;

  EvaluationPhase(String jobId, Object lock, AuditLog audit, TaskBoard board, BooleanSupplier abortRequested) {
    this.jobId = jobId;
    this.lock = lock;
    this.audit = audit;
    this.board = board;
    this.abortRequested = abortRequested;
  }

  /**
   * Asks {@code sites} to evaluate the model of {@code round} and waits for their reports.
   *
   * @param task the EVALUATE task each site gets, given the audit head it is issued under
   * @return the reports by site, empty when none came in time
   */
  Map<String, EvaluationMetrics> run(int round, String modelSha256, List<String> sites, long deadlineEpochMillis,
      Function<ChainHead, TrainTask> task) throws InterruptedException {
    Open evaluation = new Open(round, modelSha256, new LinkedHashSet<>(sites));
    synchronized (lock) {
      open = evaluation;
    }
    ChainHead head = audit.append(COORDINATOR, "evaluation_opened", detail("round", round, "sites", sites,
        "model_sha256", modelSha256));
    TrainTask evaluate = task.apply(head);
    for (String site : sites) {
      board.assign(site, evaluate);
    }
    synchronized (lock) {
      while (evaluation.reports.size() < evaluation.sites.size() && !abortRequested.getAsBoolean()) {
        long remaining = deadlineEpochMillis - System.currentTimeMillis();
        if (remaining <= 0) {
          break;
        }
        lock.wait(Math.min(remaining, 1000));
      }
      evaluation.closed = true;
      open = null;
    }
    board.withdraw(jobId);
    return evaluation.reports;
  }

  /** Whether {@code site} may fetch the model of {@code round} to evaluate it. Call under the driver's lock. */
  boolean evaluating(String site, int round) {
    return open != null && !open.closed && open.round == round && open.sites.contains(site);
  }

  /**
   * Takes one site's evaluation of the round's committed model.
   *
   * @throws UpdateRejected when no evaluation of that round is open for the site, or it is of another model
   */
  void accept(String site, int round, String modelSha256, EvaluationMetrics parsed) throws UpdateRejected {
    synchronized (lock) {
      Open evaluation = open;
      if (evaluation == null || evaluation.closed || evaluation.round != round) {
        throw new UpdateRejected("no evaluation of round " + round + " of job " + jobId + " is open");
      }
      if (!evaluation.sites.contains(site) || evaluation.reports.containsKey(site)) {
        throw new UpdateRejected("site " + site + " was not asked for, or already sent, this evaluation");
      }
      if (!evaluation.modelSha256.equals(modelSha256)) {
        throw new UpdateRejected("evaluation of model " + RoundDriver.shortSha(modelSha256) + ", not round " + round
            + "'s " + RoundDriver.shortSha(evaluation.modelSha256));
      }
      evaluation.reports.put(site, parsed);
      audit.append(site, "evaluation_received", detail("round", round, "examples", parsed.examples(),
          "accuracy", parsed.accuracy(), "auc", parsed.auc()));
      board.complete(site, jobId, round);
      lock.notifyAll();
    }
  }

  /** True, and the phase stops waiting for {@code site}, when it had an open evaluation; call under the lock. */
  boolean decline(String site, int round) {
    if (!evaluating(site, round) || open.reports.containsKey(site)) {
      return false;
    }
    open.sites.remove(site);
    return true;
  }

  /** The evaluation in progress; guarded by the driver's lock. */
  private static final class Open {
    final int round;
    final String modelSha256;
    final Set<String> sites;
    final Map<String, EvaluationMetrics> reports = new LinkedHashMap<>();
    boolean closed;

    Open(int round, String modelSha256, Set<String> sites) {
      this.round = round;
      this.modelSha256 = modelSha256;
      this.sites = sites;
    }
  }
}
