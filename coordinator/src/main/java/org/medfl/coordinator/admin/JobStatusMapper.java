package org.medfl.coordinator.admin;

import java.util.List;
import org.medfl.coordinator.fleet.SiteRoster;
import org.medfl.coordinator.job.RoundRecord;
import org.medfl.coordinator.round.RoundDriver;
import org.medfl.proto.v1.JobStatus;
import org.medfl.proto.v1.RoundSummary;
import org.medfl.proto.v1.SiteMetrics;
import org.medfl.common.metrics.MetricsProto;

/** Domain job snapshots to the admin protocol. */
final class JobStatusMapper {
  private JobStatusMapper() {}

  static JobStatus toProto(RoundDriver.JobSnapshot snapshot, SiteRoster roster) {
    List<String> enrolled = snapshot.spec().sites();
    List<String> connected = roster.available().stream()
        .filter(site -> enrolled.isEmpty() || enrolled.contains(site)).toList();
    JobStatus.Builder status = JobStatus.newBuilder()
        .setJobId(snapshot.record().id())
        .setName(snapshot.record().name())
        .setState(snapshot.record().state().name())
        .setRoundsTotal(snapshot.spec().rounds())
        .setRoundsCompleted(snapshot.rounds().size())
        .addAllEnrolledSites(enrolled)
        .addAllConnectedSites(connected)
        .setSubmittedBy(snapshot.record().submittedBy())
        .setMessage(snapshot.activity())
        .addAllClasses(snapshot.spec().classes());
    for (RoundRecord round : snapshot.rounds()) {
      RoundSummary.Builder summary = RoundSummary.newBuilder();
      if (round.epsilon() != null) {
        summary.setEpsilon(round.epsilon());
      }
      if (round.evaluation() != null) {
        summary.setEvaluation(MetricsProto.toProto(round.evaluation()));
        round.siteEvaluations().forEach((site, metrics) -> summary.addSiteEvaluations(
            SiteMetrics.newBuilder().setSite(site).setMetrics(MetricsProto.toProto(metrics))));
      }
      status.addRounds(summary
          .setRound(round.round())
          .addAllSites(round.sites())
          .setNumExamples(round.numExamples())
          .setTrainLoss(round.trainLoss())
          .setValAccuracy(round.valAccuracy())
          .setSeconds(round.seconds())
          .setModelSha256(round.modelSha256())
          .addAllRejected(round.rejected()));
    }
    return status.build();
  }
}
