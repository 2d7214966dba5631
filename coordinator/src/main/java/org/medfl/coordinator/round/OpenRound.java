package org.medfl.coordinator.round;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.medfl.coordinator.aggregation.Accumulator;
import org.medfl.coordinator.aggregation.SiteReport;

/** The mutable state of the round in progress; guarded by its {@link RoundDriver}'s lock. */
final class OpenRound {
  final int round;
  final Set<String> selected;
  final Accumulator accumulator;
  final long deadlineEpochMillis;
  final long openedNanos = System.nanoTime();
  final Map<String, SiteReport> accepted = new LinkedHashMap<>();
  final Map<String, String> rejected = new LinkedHashMap<>();
  boolean closed;

  OpenRound(int round, Set<String> selected, Accumulator accumulator, long deadlineEpochMillis) {
    this.round = round;
    this.selected = selected;
    this.accumulator = accumulator;
    this.deadlineEpochMillis = deadlineEpochMillis;
  }

  boolean answered(String site) {
    return accepted.containsKey(site) || rejected.containsKey(site);
  }

  boolean everyoneAnswered() {
    return accepted.size() + rejected.size() >= selected.size();
  }

  List<String> missing() {
    List<String> missing = new ArrayList<>();
    for (String site : selected) {
      if (!answered(site)) {
        missing.add(site);
      }
    }
    return missing;
  }
}
