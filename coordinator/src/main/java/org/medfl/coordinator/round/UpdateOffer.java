package org.medfl.coordinator.round;

import java.security.cert.X509Certificate;
import org.medfl.common.crypto.Signatures;
import org.medfl.common.crypto.Statements;

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
    X509Certificate siteCertificate, boolean masked) {

  /** True when the signature is {@code site}'s (by the certificate it presented) over this update's statement. */
  public boolean signedBy(String site) {
    byte[] statement = Statements.update(jobId, round, site, numExamples, baseSha256, sha256);
    return Signatures.verify(siteCertificate.getPublicKey(), statement, signature);
  }

  /**
   * What is wrong with the counts and metrics the site reports beside its update, or null. The metrics never reach
   * the model, but they go into the round's record and summary, where a NaN or a negative count makes nonsense.
   */
  public String reportProblem() {
    if (numExamples < 1) {
      return "update claims " + numExamples + " training examples";
    }
    if (!Double.isFinite(trainLoss) || trainLoss < 0) {
      return "update reports a training loss of " + trainLoss + "; it must be a finite number >= 0";
    }
    if (numValExamples < 0) {
      return "update reports " + numValExamples + " validation examples";
    }
    // NaN is how a site without a validation split says it has no accuracy to report.
    boolean noValidation = numValExamples == 0 && Double.isNaN(valAccuracy);
    if (!noValidation && !(valAccuracy >= 0 && valAccuracy <= 1)) {
      return "update reports a validation accuracy of " + valAccuracy + " over " + numValExamples
          + " examples; it must be between 0 and 1";
    }
    if (!Double.isFinite(trainSeconds) || trainSeconds < 0) {
      return "update reports " + trainSeconds + " seconds of training; it must be a finite number >= 0";
    }
    return null;
  }
}
