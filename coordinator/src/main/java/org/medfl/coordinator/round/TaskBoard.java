package org.medfl.coordinator.round;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Outstanding tasks per site, handed out by long polls.
 *
 * <p>A task stays outstanding until the site's update for it is accepted or refused, or the round closes, so a site
 * agent that restarts mid-training is simply given the same task again.
 */
public final class TaskBoard {
  private final Map<String, LinkedHashMap<String, TrainTask>> bySite = new HashMap<>();

  /** Makes {@code task} the site's outstanding task for its job, replacing an older one. */
  public synchronized void assign(String site, TrainTask task) {
    bySite.computeIfAbsent(site, s -> new LinkedHashMap<>()).put(task.jobId(), task);
    notifyAll();
  }

  /** Removes the site's task for that job and round, if it is still outstanding. */
  public synchronized void complete(String site, String jobId, int round) {
    Map<String, TrainTask> tasks = bySite.get(site);
    if (tasks != null) {
      TrainTask task = tasks.get(jobId);
      if (task != null && task.round() == round) {
        tasks.remove(jobId);
      }
    }
  }

  /** Removes every task of a job (its round closed or it stopped). */
  public synchronized void withdraw(String jobId) {
    bySite.values().forEach(tasks -> tasks.remove(jobId));
  }

  /** The site's oldest outstanding task, waiting up to {@code waitMillis} for one to appear. */
  public synchronized Optional<TrainTask> next(String site, long waitMillis) throws InterruptedException {
    long until = System.nanoTime() + waitMillis * 1_000_000L;
    while (true) {
      Map<String, TrainTask> tasks = bySite.get(site);
      if (tasks != null && !tasks.isEmpty()) {
        return Optional.of(tasks.values().iterator().next());
      }
      long remainingMillis = (until - System.nanoTime()) / 1_000_000L;
      if (remainingMillis <= 0) {
        return Optional.empty();
      }
      wait(remainingMillis);
    }
  }
}
