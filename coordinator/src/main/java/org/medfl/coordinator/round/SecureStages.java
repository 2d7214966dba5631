package org.medfl.coordinator.round;

import static org.medfl.coordinator.round.RoundDriver.detail;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.medfl.common.audit.AuditLog;
import org.medfl.common.secagg.AggregateResult;
import org.medfl.common.secagg.SecAggAbort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Walks one secure-aggregation round through its stages (advertise keys, share keys, masked input, unmask). Each stage
 * closes when every expected site answered or its deadline passed; if fewer than the threshold remain at any stage the
 * protocol aborts cleanly, nothing is unmasked, and the round fails like any other. Shares its {@link RoundDriver}'s
 * lock, under which sites' messages reach the protocol.
 */
final class SecureStages {
  private static final Logger LOG = LoggerFactory.getLogger(SecureStages.class);
  private static final String COORDINATOR = "coordinator";

  private final String jobId;
  private final Object lock;
  private final TaskBoard board;
  private final AuditLog audit;
  private final BooleanSupplier abortRequested;

  SecureStages(String jobId, Object lock, TaskBoard board, AuditLog audit, BooleanSupplier abortRequested) {
    this.jobId = jobId;
    this.lock = lock;
    this.board = board;
    this.audit = audit;
    this.abortRequested = abortRequested;
  }

  /**
   * Runs the stages of {@code protocol} for {@code current}.
   *
   * @param taskFor the task a site gets at a stage
   * @param activity told what the round is waiting for
   * @return the mean of the contributors' updates, or null when the job is aborting or the protocol aborted; either
   *     way {@code current} is closed and its accepted sites are exactly the contributors
   */
  float[] run(OpenRound current, SecureRound protocol, long deadlineEpochMillis, long keyStageMillis,
      BiFunction<SecureRound.Stage, String, TrainTask> taskFor, Consumer<String> activity)
      throws InterruptedException {
    int round = current.round;
    try {
      for (SecureRound.Stage stage : SecureRound.Stage.values()) {
        // Unmasking gets its own time after the round deadline: masked input may use all of the round when a site
        // died after sharing its keys, and the survivors then still need a stage to recover its masks.
        long now = System.currentTimeMillis();
        long stageDeadline = switch (stage) {
          case MASKED_INPUT -> deadlineEpochMillis;
          case UNMASK -> now + keyStageMillis;
          default -> Math.min(deadlineEpochMillis, now + keyStageMillis);
        };
        synchronized (lock) {
          List<String> sites = new ArrayList<>(protocol.expected());
          activity.accept("round " + round + " secure aggregation " + stage + ": waiting for " + sites);
          for (String site : sites) {
            board.assign(site, taskFor.apply(stage, site));
          }
          while (!protocol.stageComplete() && !abortRequested.getAsBoolean()) {
            long remaining = stageDeadline - System.currentTimeMillis();
            if (remaining <= 0) {
              break;
            }
            lock.wait(Math.min(remaining, 1000));
          }
          board.withdraw(jobId);
          if (abortRequested.getAsBoolean()) {
            current.closed = true;
            return null;
          }
          protocol.closeStage();
        }
      }
      AggregateResult sum;
      synchronized (lock) {
        sum = protocol.finish();
        current.accepted.keySet().retainAll(sum.contributors());
        current.closed = true;
      }
      audit.append(COORDINATOR, "secure_aggregation_unmasked", detail("round", round,
          "contributors", new ArrayList<>(current.accepted.keySet())));
      return sum.mean();
    } catch (SecAggAbort e) {
      synchronized (lock) {
        current.closed = true;
        current.accepted.clear();
      }
      board.withdraw(jobId);
      audit.append(COORDINATOR, "secure_aggregation_aborted", detail("round", round, "reason", e.getMessage()));
      LOG.warn("job {} round {}: secure aggregation aborted: {}", jobId, round, e.getMessage());
      return null;
    }
  }
}
