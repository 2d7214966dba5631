package org.medfl.coordinator.job;

import org.medfl.common.audit.ChainHead;

/**
 * A job's identity and lifecycle state, rewritten atomically at every change.
 *
 * @param submittedAt ISO-8601 instant
 * @param auditHead the audit chain head this record commits to (records up to it cannot vanish unnoticed)
 */
public record JobRecord(String id, String name, String submittedBy, String submittedAt, JobState state,
    String message, ChainHead auditHead) {

  /** The same record in another state. */
  public JobRecord with(JobState newState, String newMessage, ChainHead head) {
    return new JobRecord(id, name, submittedBy, submittedAt, newState, newMessage, head);
  }
}
