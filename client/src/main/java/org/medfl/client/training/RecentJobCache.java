package org.medfl.client.training;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Function;

/**
 * Keeps what a site built for its most recently used jobs (a trainer holds the job's images and network), so a
 * long-lived site agent that takes part in job after job does not hold every finished job's data for ever. A job
 * that comes back after being dropped is simply built again: its data are reloaded and its network rebuilt, which
 * costs time but changes no result, because each round starts from the global model and fresh optimiser state.
 *
 * @param <V> what is kept per job
 */
public final class RecentJobCache<V> {
  private final int capacity;
  private final LinkedHashMap<String, V> entries = new LinkedHashMap<>(16, 0.75f, true);

  /** @param capacity how many jobs to keep, at least 1 */
  public RecentJobCache(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
    }
    this.capacity = capacity;
  }

  /** Result of {@link #get}: the job's value and the jobs dropped to make room for it (oldest first). */
  public record Lookup<V>(V value, List<String> dropped) {}

  /**
   * The job's value, built by {@code build} when absent; building happens under this cache's lock, so two threads
   * asking for the same job build it once.
   */
  public synchronized Lookup<V> get(String jobId, Function<String, V> build) {
    V value = entries.get(jobId);
    if (value != null) {
      return new Lookup<>(value, List.of());
    }
    value = build.apply(jobId);
    entries.put(jobId, value);
    List<String> dropped = new ArrayList<>();
    Iterator<String> oldestFirst = entries.keySet().iterator();
    while (entries.size() > capacity) {
      dropped.add(oldestFirst.next());
      oldestFirst.remove();
    }
    return new Lookup<>(value, dropped);
  }

  /** Job ids held now, least recently used first. */
  public synchronized List<String> jobs() {
    return List.copyOf(entries.keySet());
  }
}
