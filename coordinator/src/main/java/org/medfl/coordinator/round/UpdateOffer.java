package org.medfl.coordinator.round;

import java.security.cert.X509Certificate;

/**
 * The header of an update a site is about to stream, checked before any bytes are accepted.
 *
 * @param baseSha256 the global model the site trained from
 * @param length number of float32 values that will follow
 * @param signature the site's signature over {@code Statements.update(...)}
 * @param siteCertificate the certificate the site presented on this connection
 * @param masked true for a masked secure-aggregation vector (uint32 words, one more than the model)
 */
public record UpdateOffer(String jobId, int round, long numExamples, double trainLoss, double valAccuracy,
    long numValExamples, double trainSeconds, String baseSha256, long length, String sha256, byte[] signature,
    X509Certificate siteCertificate, boolean masked) {}
