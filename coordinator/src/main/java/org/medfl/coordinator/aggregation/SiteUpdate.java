package org.medfl.coordinator.aggregation;

/**
 * One site's verified contribution to a round.
 *
 * @param site the site's certificate name
 * @param delta local parameters minus global parameters (float32); already checked for length, digest and finiteness
 * @param numExamples examples the site trained on (FedAvg's weight), at least 1
 * @param trainLoss mean local training loss over the last epoch
 * @param valAccuracy accuracy of the site's locally trained model on its held-out split (NaN if none)
 * @param numValExamples size of that split
 * @param trainSeconds seconds the site spent training
 * @param sha256 digest of the delta as received
 */
public record SiteUpdate(String site, float[] delta, long numExamples, double trainLoss, double valAccuracy,
    long numValExamples, double trainSeconds, String sha256) {

  /** The same update without its vector, for records that must not hold O(model) memory. */
  public SiteReport report() {
    return new SiteReport(site, numExamples, trainLoss, valAccuracy, numValExamples, trainSeconds, sha256);
  }
}
