package org.medfl.coordinator.job;

import java.util.List;
import org.medfl.common.audit.ChainHead;

/**
 * The last completed round of a job: enough to resume after a crash.
 *
 * @param round rounds completed so far (0 = only the initial model exists)
 * @param modelSha256 digest of that round's global model file
 * @param auditHead the audit chain head at commit time
 * @param rounds records of every completed round, oldest first
 */
public record Checkpoint(int round, String modelSha256, ChainHead auditHead, List<RoundRecord> rounds) {}
