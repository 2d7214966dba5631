package org.medfl.coordinator.round;

/**
 * The header of an update a site is about to stream, checked before any bytes are accepted.
 *
 * @param baseSha256 the global model the site trained from
 * @param length number of float32 values that will follow
 */
public record UpdateOffer(String jobId, int round, long numExamples, double trainLoss, double valAccuracy,
    long numValExamples, double trainSeconds, String baseSha256, long length, String sha256) {}
