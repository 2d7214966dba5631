package org.medfl.coordinator.fleet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Sites the coordinator has heard from recently. A site counts as available while its long polls keep arriving.
 */
public final class SiteRoster {
  /** Long polls return within 30 s, so a site silent for longer than this is gone. */
  public static final long AVAILABLE_WINDOW_MILLIS = 45_000;

  private final Map<String, Long> lastSeenNanos = new HashMap<>();
  private final Map<String, String> runtimes = new HashMap<>();
  private final List<Consumer<String>> joinListeners = new CopyOnWriteArrayList<>();

  /** Records that {@code site} called in; {@code runtime} may be null when unknown. */
  public void seen(String site, String runtime) {
    boolean first;
    synchronized (this) {
      first = !lastSeenNanos.containsKey(site);
      lastSeenNanos.put(site, System.nanoTime());
      if (runtime != null) {
        runtimes.put(site, runtime);
      }
      notifyAll();
    }
    if (first) {
      joinListeners.forEach(listener -> listener.accept(site));
    }
  }

  /** Sites seen within the availability window, sorted. */
  public synchronized List<String> available() {
    long now = System.nanoTime();
    List<String> sites = new ArrayList<>();
    lastSeenNanos.forEach((site, seen) -> {
      if (now - seen <= AVAILABLE_WINDOW_MILLIS * 1_000_000L) {
        sites.add(site);
      }
    });
    sites.sort(null);
    return sites;
  }

  /** The runtime a site reported when it joined, or null. */
  public synchronized String runtime(String site) {
    return runtimes.get(site);
  }

  /** Waits until some site calls in, or {@code millis} pass. */
  public synchronized void awaitChange(long millis) throws InterruptedException {
    wait(millis);
  }

  /** Called once per site, the first time it is seen by this coordinator process. */
  public void onFirstContact(Consumer<String> listener) {
    joinListeners.add(listener);
  }
}
