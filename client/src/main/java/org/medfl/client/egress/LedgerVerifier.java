package org.medfl.client.egress;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.medfl.common.crypto.Digests;

/** Checks an egress ledger's chain: every line parses, sequence numbers run 1, 2, 3..., each links to the one before. */
public final class LedgerVerifier {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LedgerVerifier() {}

  /**
   * The result of a check.
   *
   * @param problem null when intact, else the first bad line and why
   */
  public record Result(long entries, String head, String problem) {
    /** True when no problem was found. */
    public boolean intact() {
      return problem == null;
    }
  }

  /** Verifies the chain of {@code file}. */
  public static Result verify(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    String prev = "0".repeat(64);
    for (int i = 0; i < lines.size(); i++) {
      LedgerEntry entry;
      try {
        entry = JSON.readValue(lines.get(i), LedgerEntry.class);
      } catch (IOException e) {
        return new Result(i, prev, "line " + (i + 1) + " is not a ledger entry");
      }
      if (entry.seq() != i + 1) {
        return new Result(i, prev, "line " + (i + 1) + " has seq " + entry.seq() + " (lines removed or reordered)");
      }
      if (!prev.equals(entry.prev())) {
        return new Result(i, prev, "line " + (i + 1) + " does not link to line " + i + " (changed, removed or "
            + "reordered)");
      }
      prev = Digests.sha256Hex(lines.get(i).getBytes(StandardCharsets.UTF_8));
    }
    return new Result(lines.size(), prev, null);
  }
}
