package org.medfl.coordinator.job;

import java.util.List;
import org.medfl.coordinator.aggregation.SiteReport;

/**
 * What a completed round produced, as kept in the checkpoint.
 *
 * @param round 1-based round number
 * @param sites sites whose updates were aggregated
 * @param rejected "site: reason" for each update that was refused
 * @param missing selected sites that sent nothing before the deadline
 * @param seconds wall time from round opened to global model stored
 * @param modelSha256 digest of the new global model
 * @param reports each aggregated site's report
 * @param epsilon the job's privacy loss (at its delta) after this round, or null without DP
 */
public record RoundRecord(int round, List<String> sites, List<String> rejected, List<String> missing,
    long numExamples, double trainLoss, double valAccuracy, double seconds, String modelSha256,
    List<SiteReport> reports, Double epsilon) {

  /** The slowest site's training time: with sites training in parallel, the part of the round spent training. */
  public double maxTrainSeconds() {
    return reports.stream().mapToDouble(SiteReport::trainSeconds).max().orElse(0);
  }
}
