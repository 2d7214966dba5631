package org.medfl.client.egress;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.medfl.common.crypto.Digests;

/**
 * Cross-checks a coordinator's audit log against the audit heads that sites recorded in their egress ledgers: each
 * anchored head (record count, hash of that record's line) must still be in the log. A coordinator that rewrote or
 * cut its history after showing a head to a site contradicts that site's ledger.
 */
public final class AnchorCheck {
  private AnchorCheck() {}

  /**
   * @param auditLines the job's audit log, one record per element, as stored
   * @param jobId the job the log belongs to; anchors of other jobs are ignored
   * @param anchors entries from a site's ledger (non-anchor entries are ignored)
   * @param source how to name the ledger in a message
   * @return null when every anchor of the job is in the log, else one sentence naming the first contradiction
   */
  public static String problem(List<String> auditLines, String jobId, List<LedgerEntry> anchors, String source) {
    for (LedgerEntry entry : anchors) {
      if (!entry.kind().equals(LedgerEntry.AUDIT_ANCHOR) || !entry.job().equals(jobId)) {
        continue;
      }
      long record = entry.bytes();
      if (record < 1 || record > auditLines.size()) {
        return source + " line " + entry.seq() + " saw audit record " + record + " (round " + entry.round()
            + "), but the log has only " + auditLines.size() + " records: its tail was cut";
      }
      String actual = Digests.sha256Hex(auditLines.get((int) record - 1).getBytes(StandardCharsets.UTF_8));
      if (!actual.equals(entry.sha256())) {
        return source + " line " + entry.seq() + " saw audit record " + record + " with hash "
            + entry.sha256().substring(0, 12) + "…, but the log's record " + record + " hashes to "
            + actual.substring(0, 12) + "…: the coordinator's history was rewritten";
      }
    }
    return null;
  }

  /** Number of anchors of {@code jobId} among the entries. */
  public static long count(String jobId, List<LedgerEntry> entries) {
    return entries.stream().filter(e -> e.kind().equals(LedgerEntry.AUDIT_ANCHOR) && e.job().equals(jobId)).count();
  }
}
