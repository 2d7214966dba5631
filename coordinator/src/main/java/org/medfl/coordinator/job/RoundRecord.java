package org.medfl.coordinator.job;

import java.util.List;
import java.util.Map;
import org.medfl.common.metrics.EvaluationMetrics;
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
 * @param evaluation federated evaluation of this round's global model over the sites that reported, or null
 * @param siteEvaluations each reporting site's evaluation of it, by site name (empty when not evaluated)
 */
public record RoundRecord(int round, List<String> sites, List<String> rejected, List<String> missing,
    long numExamples, double trainLoss, double valAccuracy, double seconds, String modelSha256,
    List<SiteReport> reports, Double epsilon, EvaluationMetrics evaluation,
    Map<String, EvaluationMetrics> siteEvaluations) {

  /** This record with the federated evaluation of its model. */
  public RoundRecord withEvaluation(EvaluationMetrics aggregate, Map<String, EvaluationMetrics> bySite) {
    return new RoundRecord(round, sites, rejected, missing, numExamples, trainLoss, valAccuracy, seconds,
        modelSha256, reports, epsilon, aggregate, bySite);
  }

  /** The slowest site's training time: with sites training in parallel, the part of the round spent training. */
  public double maxTrainSeconds() {
    return reports.stream().mapToDouble(SiteReport::trainSeconds).max().orElse(0);
  }
}
