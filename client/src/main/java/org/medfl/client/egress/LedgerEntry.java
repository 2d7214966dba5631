package org.medfl.client.egress;

/**
 * One line of the egress ledger.
 *
 * @param seq 1-based position in the chain
 * @param time ISO-8601 instant the entry was written (before the message left)
 * @param kind what left ("join", "poll", "fetch_model_request", "update_header", "update_chunk",
 *     "evaluation_report", "secagg_STAGE", "decline") or, for
 *     "audit_anchor", the coordinator's audit chain head the site was shown
 * @param method the gRPC method, empty for anchors
 * @param job job id, empty when the message belongs to none
 * @param round round, 0 when none
 * @param bytes serialized size of the message; for anchors, the number of audit records the head covers
 * @param sha256 SHA-256 of the serialized message; for anchors, the audit head's hash
 * @param prev SHA-256 of the previous line (64 zeros for the first)
 */
public record LedgerEntry(long seq, String time, String kind, String method, String job, int round, long bytes,
    String sha256, String prev) {

  /** Kind of the entries that record an audit chain head rather than an outbound message. */
  public static final String AUDIT_ANCHOR = "audit_anchor";
}
