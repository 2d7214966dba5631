package org.medfl.deploy.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A job's audit log as a test reads it: its events in order, each with its actor and details. */
final class AuditTrail {
  /** The event that commits a round: the new global model exists and is named in the chain. */
  static final String ROUND_COMMITTED = "aggregate_produced";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<Event> events;

  private AuditTrail(List<Event> events) {
    this.events = events;
  }

  /** One record of the log. */
  record Event(String actor, String event, JsonNode details) {
    /** The round the event is about, or -1. */
    int round() {
      return details.path("round").asInt(-1);
    }
  }

  /** The log as it is now; empty while the file does not exist. A line being appended is left out. */
  static AuditTrail read(Path log) {
    List<String> lines;
    try {
      lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return new AuditTrail(List.of());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Event> events = new ArrayList<>();
    for (String line : lines) {
      try {
        JsonNode node = JSON.readTree(line);
        events.add(new Event(node.path("actor").asText(), node.path("event").asText(), node.path("details")));
      } catch (IOException e) {
        break; // the writer is mid-line
      }
    }
    return new AuditTrail(events);
  }

  /** Every event, oldest first. */
  List<Event> events() {
    return events;
  }

  /** The events of one kind, oldest first. */
  List<Event> of(String event) {
    return events.stream().filter(e -> e.event().equals(event)).toList();
  }

  /** Events of one kind about {@code round}. */
  List<Event> of(String event, int round) {
    return of(event).stream().filter(e -> e.round() == round).toList();
  }

  /** The rounds of the round-committing events, in log order (a round counted twice shows up twice). */
  List<Integer> committedRounds() {
    return of(ROUND_COMMITTED).stream().map(Event::round).toList();
  }

  /** True once {@code round} has been committed. */
  boolean committed(int round) {
    return committedRounds().contains(round);
  }

  /** The sites whose updates went into {@code round}'s committed model (the last commit of it, if several). */
  List<String> sitesOf(int round) {
    List<Event> commits = of(ROUND_COMMITTED, round);
    if (commits.isEmpty()) {
      return List.of();
    }
    List<String> sites = new ArrayList<>();
    commits.get(commits.size() - 1).details().path("sites").forEach(site -> sites.add(site.asText()));
    return sites;
  }

  /** The actors who had an event of this kind about {@code round}, in log order. */
  List<String> actors(String event, int round) {
    return of(event, round).stream().map(Event::actor).toList();
  }
}
