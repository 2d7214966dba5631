package org.medfl.coordinator.round;

import org.medfl.common.audit.ChainHead;

/**
 * A request to one site: train the global model of this round and send back an update, or (when
 * {@code evaluateOnly}) evaluate the model committed after this round on the site's held-out split.
 *
 * @param specYaml the job spec as submitted, from which the site builds model and data pipeline
 * @param globalSha256 digest of the global model the site must fetch
 * @param globalLength number of parameters of that model
 * @param deadlineEpochMillis when the coordinator stops waiting for this round
 * @param globalSignature the coordinator's signature over {@code Statements.globalModel(jobId, round, globalSha256)}
 * @param coordinatorCertificatePem the certificate to check that signature with
 * @param auditHead the job's audit chain head when the task was issued
 * @param secureAggregation the secure-aggregation stage to take, or null for a plain train/evaluate task
 */
public record TrainTask(String jobId, int round, String specYaml, String globalSha256, long globalLength,
    long deadlineEpochMillis, byte[] globalSignature, String coordinatorCertificatePem, ChainHead auditHead,
    boolean evaluateOnly, SecAggTaskData secureAggregation) {}
