package org.medfl.deploy.federation;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.medfl.client.egress.LedgerEntry;

/** A site's egress ledger read while the site may still be writing it: complete lines only. */
final class SiteLedger {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SiteLedger() {}

  /** The entries written so far; empty while the file does not exist. */
  static List<LedgerEntry> read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<LedgerEntry> entries = new ArrayList<>();
    for (String line : text.substring(0, text.lastIndexOf('\n') + 1).split("\n")) {
      if (!line.isEmpty()) {
        try {
          entries.add(JSON.readValue(line, LedgerEntry.class));
        } catch (IOException e) {
          throw new UncheckedIOException(file + ": not a ledger entry: " + line, e);
        }
      }
    }
    return entries;
  }

  /** How many messages of {@code kind} (e.g. "fetch_model_request", "update_header") left for that job and round. */
  static long count(Path file, String kind, String jobId, int round) {
    return read(file).stream()
        .filter(e -> e.kind().equals(kind) && e.job().equals(jobId) && e.round() == round)
        .count();
  }
}
