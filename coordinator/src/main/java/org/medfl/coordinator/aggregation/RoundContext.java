package org.medfl.coordinator.aggregation;

import org.medfl.common.job.JobSpec;

/** Where a strategy is called from: which job, which round. */
public record RoundContext(String jobId, int round, JobSpec spec) {}
